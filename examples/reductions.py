"""Row reductions: sum, mean, amax/amin, argmax, softmax with a running max and sum, layer norm,
RMS norm and cross-entropy, persistent (the row in one tile) and looped (`reduction_loops`)."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def row_stats(x: torch.Tensor) -> torch.Tensor:
    m, _n = x.size()
    out = torch.empty([m, 3], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        out[tile_m, 0] = row.sum(-1)
        out[tile_m, 1] = torch.mean(row, dim=-1)
        out[tile_m, 2] = torch.amax(row, dim=-1) - torch.amin(row, dim=-1)
    return out


def row_stats_reference(x: torch.Tensor) -> torch.Tensor:
    y = x.float()
    return torch.stack([y.sum(-1), y.mean(-1), y.amax(-1) - y.amin(-1)], dim=1)


@helion.kernel(static_shapes=True)
def row_argmax(x: torch.Tensor) -> torch.Tensor:
    m, _n = x.size()
    out = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = torch.argmax(x[tile_m, :], dim=-1)
    return out


def row_argmax_reference(x: torch.Tensor) -> torch.Tensor:
    return torch.argmax(x, dim=-1)


@helion.kernel(static_shapes=True)
def col_argmin(x: torch.Tensor) -> torch.Tensor:
    _m, n = x.size()
    out = torch.empty([1, n], dtype=torch.int64, device=x.device)
    for tile_n in hl.tile(n):
        out[:, tile_n] = torch.argmin(x[:, tile_n], dim=0, keepdim=True)
    return out


def col_argmin_reference(x: torch.Tensor) -> torch.Tensor:
    return torch.argmin(x, dim=0, keepdim=True)


@helion.kernel(static_shapes=True)
def online_softmax(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    block_n = hl.register_block_size(n)
    for tile_m in hl.tile(m):
        running_max = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        running_sum = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block_n):
            chunk = x[tile_m, tile_n].to(torch.float32)
            new_max = torch.maximum(running_max, torch.amax(chunk, dim=-1))
            rescale = torch.exp(running_max - new_max)
            running_sum = running_sum * rescale + torch.exp(chunk - new_max[:, None]).sum(-1)
            running_max = new_max
        for tile_n in hl.tile(n, block_size=block_n):
            chunk = x[tile_m, tile_n].to(torch.float32)
            out[tile_m, tile_n] = (torch.exp(chunk - running_max[:, None]) / running_sum[:, None]).to(out.dtype)
    return out


def online_softmax_reference(x: torch.Tensor) -> torch.Tensor:
    return torch.softmax(x.float(), dim=-1).to(x.dtype)


@helion.kernel(static_shapes=True)
def log_softmax(x: torch.Tensor) -> torch.Tensor:
    """torch's own softmax, log_softmax and logsumexp inside a kernel, as Helion decomposes them."""
    m, _n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        by_logsumexp = row - torch.logsumexp(row, dim=-1, keepdim=True)
        by_softmax = torch.log(torch.softmax(row, dim=-1))
        out[tile_m, :] = ((torch.log_softmax(row, dim=-1) + by_logsumexp + by_softmax) / 3).to(out.dtype)
    return out


def log_softmax_reference(x: torch.Tensor) -> torch.Tensor:
    return torch.log_softmax(x.float(), dim=-1).to(x.dtype)


@helion.kernel(static_shapes=True)
def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, _n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        centered = row - row.mean(-1, keepdim=True)
        var = (centered * centered).mean(-1, keepdim=True)
        normed = centered * torch.rsqrt(var + 1e-5)
        out[tile_m, :] = (normed * weight[None, :].to(torch.float32) + bias[None, :].to(torch.float32)).to(out.dtype)
    return out


def layer_norm_reference(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    y = torch.nn.functional.layer_norm(x.float(), [x.size(1)], weight.float(), bias.float(), eps=1e-5)
    return y.to(x.dtype)


@helion.kernel(static_shapes=True)
def standardize(x: torch.Tensor) -> torch.Tensor:
    """torch.var_mean, torch.std and F.layer_norm inside a kernel, as inductor decomposes them."""
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        var, mean = torch.var_mean(row, dim=-1, keepdim=True, correction=0)
        by_var_mean = (row - mean) * torch.rsqrt(var + 1e-5)
        by_std = (row - mean) / torch.std(row, dim=-1, keepdim=True) * (n / (n - 1)) ** 0.5
        by_layer_norm = torch.nn.functional.layer_norm(row, [row.size(-1)], eps=1e-5)
        out[tile_m, :] = ((by_var_mean + by_std + by_layer_norm) / 3).to(out.dtype)
    return out


def standardize_reference(x: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.layer_norm(x.float(), [x.size(1)], eps=1e-5).to(x.dtype)


@helion.kernel(static_shapes=True)
def var_mean_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """torch.var_mean of rows in x's own dtype: for 16-bit floats inductor computes the variance
    in a buffer of its own, which the node reads with the mean."""
    m, _n = x.size()
    variances = torch.empty([m, 1], dtype=x.dtype, device=x.device)
    means = torch.empty([m, 1], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        var, mean = torch.var_mean(x[tile_m, :], dim=-1, keepdim=True, correction=1)
        variances[tile_m, :] = var
        means[tile_m, :] = mean
    return variances, means


def var_mean_rows_reference(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    var, mean = torch.var_mean(x.float(), dim=-1, keepdim=True, correction=1)
    return var.to(x.dtype), mean.to(x.dtype)


@helion.kernel(static_shapes=True)
def rms_norm(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    m, _n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        mean_square = torch.mean(row * row, dim=-1, keepdim=True)
        out[tile_m, :] = (row * torch.rsqrt(mean_square + 1e-6) * weight[:].to(torch.float32)).to(out.dtype)
    return out


def rms_norm_reference(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    y = x.float()
    return (y * torch.rsqrt(y.pow(2).mean(-1, keepdim=True) + 1e-6) * weight.float()).to(x.dtype)


@helion.kernel(static_shapes=True)
def cross_entropy(logits: torch.Tensor, labels: torch.Tensor, logits_flat: torch.Tensor) -> torch.Tensor:
    """Per-row loss log(sum(exp(row))) - row[label]; the target logit is gathered from `logits_flat`
    (the logits as one row: the interchange carries no host-side views)."""
    m, v = logits.size()
    out = torch.empty([m], dtype=torch.float32, device=logits.device)
    for tile_m in hl.tile(m):
        row = logits[tile_m, :].to(torch.float32)
        row_max = torch.amax(row, dim=-1)
        log_sum_exp = torch.log(torch.exp(row - row_max[:, None]).sum(-1)) + row_max
        target = hl.load(logits_flat, [tile_m.index * v + labels[tile_m]]).to(torch.float32)
        out[tile_m] = log_sum_exp - target
    return out


def cross_entropy_reference(logits: torch.Tensor, labels: torch.Tensor, logits_flat: torch.Tensor) -> torch.Tensor:
    m, v = logits.size()
    target = logits_flat[torch.arange(m) * v + labels].float()
    return torch.logsumexp(logits.float(), dim=-1) - target


@helion.kernel(static_shapes=True)
def row_max_and_min(x: torch.Tensor) -> torch.Tensor:
    """torch.max / torch.min over a dim: the values and their int64 indices."""
    m, _n = x.size()
    out = torch.empty([m, 4], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        top, top_at = torch.max(row, dim=-1)
        low, low_at = torch.min(row, dim=-1)
        out[tile_m, 0] = top.to(torch.float32)
        out[tile_m, 1] = top_at.to(torch.float32)
        out[tile_m, 2] = low.to(torch.float32)
        out[tile_m, 3] = low_at.to(torch.float32)
    return out


def row_max_and_min_reference(x: torch.Tensor) -> torch.Tensor:
    top, top_at = torch.max(x, dim=-1)
    low, low_at = torch.min(x, dim=-1)
    return torch.stack([top.float(), top_at.float(), low.float(), low_at.float()], dim=1)


# The cases the test suite runs with `python -m helion_mlir check` (scripts/examples_suite/cases.py):
# rows of 77 or 300 are padded (persistent) or reduced in chunks (`reduction_loops`); ties in the
# argmax inputs (small integers) check that the first best index wins.
CHECKS = [
    {"kernel": "row_stats", "args": ["torch.randn(100, 77)"], "ref": "row_stats_reference"},
    {"kernel": "row_stats", "args": ["torch.randn(100, 77)"], "config": {"block_sizes": [16], "reduction_loops": [32]}, "ref": "row_stats_reference"},
    {"kernel": "row_stats", "args": ["torch.randn(37, 300, dtype=torch.bfloat16)"], "ref": "row_stats_reference",
     "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "row_argmax", "args": ["torch.randn(100, 77)"], "ref": "row_argmax_reference"},
    {"kernel": "row_argmax", "args": ["torch.randint(0, 6, (37, 300)).to(torch.float16)"],
     "config": {"block_sizes": [8]}, "ref": "row_argmax_reference"},
    # Looped, each chunk's best competes with the running best.
    {"kernel": "row_argmax", "args": ["torch.randint(0, 6, (37, 300)).to(torch.bfloat16)"],
     "config": {"block_sizes": [16], "reduction_loops": [64]}, "ref": "row_argmax_reference"},
    {"kernel": "row_argmax", "args": ["torch.randn(100, 77)"], "config": {"block_sizes": [16], "reduction_loops": [32]},
     "ref": "row_argmax_reference"},
    {"kernel": "col_argmin", "args": ["torch.randint(-4, 4, (45, 70)).float()"], "ref": "col_argmin_reference"},
    {"kernel": "col_argmin", "args": ["torch.randn(45, 70, dtype=torch.bfloat16)"], "config": {"block_sizes": [16]},
     "ref": "col_argmin_reference"},
    {"kernel": "col_argmin", "args": ["torch.randint(-4, 4, (45, 70)).float()"],
     "config": {"block_sizes": [16], "reduction_loops": [16]}, "ref": "col_argmin_reference"},
    {"kernel": "row_max_and_min", "args": ["torch.randn(100, 77)"], "ref": "row_max_and_min_reference"},
    {"kernel": "row_max_and_min", "args": ["torch.randint(0, 5, (37, 300)).to(torch.bfloat16)"],
     "config": {"block_sizes": [8]}, "ref": "row_max_and_min_reference"},
    {"kernel": "online_softmax", "args": ["torch.randn(100, 77)"], "ref": "online_softmax_reference"},
    {"kernel": "online_softmax", "args": ["torch.randn(37, 300, dtype=torch.float16)"],
     "config": {"block_sizes": [16, 64]}, "ref": "online_softmax_reference"},
    {"kernel": "log_softmax", "args": ["torch.randn(100, 77)"], "ref": "log_softmax_reference", "rtol": 1e-5,
     "atol": 1e-5},
    {"kernel": "log_softmax", "args": ["torch.randn(100, 77)"], "config": {"block_sizes": [16], "reduction_loops": [32]},
     "ref": "log_softmax_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "log_softmax", "args": ["torch.randn(37, 300, dtype=torch.bfloat16)"], "ref": "log_softmax_reference"},
    {"kernel": "layer_norm", "args": ["torch.randn(100, 77)", "torch.randn(77)", "torch.randn(77)"],
     "ref": "layer_norm_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "layer_norm", "args": ["torch.randn(100, 77)", "torch.randn(77)", "torch.randn(77)"], "config": {"block_sizes": [16], "reduction_loops": [32]},
     "ref": "layer_norm_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "layer_norm", "args": ["torch.randn(33, 130, dtype=torch.bfloat16)", "torch.randn(130, dtype=torch.bfloat16)",
                                      "torch.randn(130, dtype=torch.bfloat16)"], "ref": "layer_norm_reference"},
    {"kernel": "standardize", "args": ["torch.randn(100, 77)"], "ref": "standardize_reference", "rtol": 1e-4,
     "atol": 1e-4},
    {"kernel": "standardize", "args": ["torch.randn(100, 77)"], "config": {"block_sizes": [16], "reduction_loops": [32]},
     "ref": "standardize_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "standardize", "args": ["torch.randn(33, 130, dtype=torch.bfloat16)"],
     "config": {"block_sizes": [8], "reduction_loops": [64]}, "ref": "standardize_reference"},
    {"kernel": "rms_norm", "args": ["torch.randn(100, 77)", "torch.randn(77)"], "ref": "rms_norm_reference",
     "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "rms_norm", "args": ["torch.randn(100, 77)", "torch.randn(77)"], "config": {"block_sizes": [16], "reduction_loops": [32]},
     "ref": "rms_norm_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "rms_norm", "args": ["torch.randn(33, 130, dtype=torch.float16)", "torch.randn(130, dtype=torch.float16)"],
     "config": {"block_sizes": [8], "reduction_loops": [64]}, "ref": "rms_norm_reference"},
    {"kernel": "cross_entropy", "args": ["torch.randn(100, 77)", "torch.randint(0, 77, (100,))", "torch.randn(7700)"],
     "ref": "cross_entropy_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "cross_entropy", "args": ["torch.randn(100, 77)", "torch.randint(0, 77, (100,))", "torch.randn(7700)"],
     "config": {"block_sizes": [16], "reduction_loops": [32]}, "ref": "cross_entropy_reference", "rtol": 1e-4, "atol": 1e-4},
    # Looped: each chunk's best values and indices compete with the running ones.
    {"kernel": "row_max_and_min", "args": ["torch.randint(0, 5, (37, 300)).to(torch.bfloat16)"],
     "config": {"block_sizes": [8], "reduction_loops": [64]}, "ref": "row_max_and_min_reference"},
    {"kernel": "var_mean_rows", "args": ["torch.randn(33, 130, dtype=torch.bfloat16)"], "ref": "var_mean_rows_reference"},
    {"kernel": "var_mean_rows", "args": ["torch.randn(40, 77, dtype=torch.float16)"], "ref": "var_mean_rows_reference",
     "config": {"block_sizes": [16]}},
    {"kernel": "var_mean_rows", "args": ["torch.randn(100, 77)"], "ref": "var_mean_rows_reference", "rtol": 1e-5,
     "atol": 1e-5},
    {"kernel": "var_mean_rows", "args": ["torch.randn(33, 130, dtype=torch.bfloat16)"], "ref": "var_mean_rows_reference",
     "config": {"block_sizes": [8], "reduction_loops": [32]}},
]
