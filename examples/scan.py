"""Combine functions: hl.associative_scan (prefix sums and products, forward and reverse) and hl.reduce
with a function of our own, over rows whose length is no multiple of the tile."""

import torch

import helion
import helion.language as hl


def add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a + b


def mul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a * b


def larger(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.maximum(a, b)


def larger_with_index(v0: torch.Tensor, i0: torch.Tensor, v1: torch.Tensor, i1: torch.Tensor):
    """Over (value, index) tuples: the larger value and its index, the earlier one on ties."""
    take = v1 > v0
    return torch.where(take, v1, v0), torch.where(take, i1, i0)


def first_nonzero(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Not commutative: the earlier value unless it is zero."""
    return torch.where(a != 0, a, b)


@helion.kernel(static_shapes=True)
def cumsum_rows(x: torch.Tensor) -> torch.Tensor:
    m, _n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = hl.associative_scan(add, x[tile_m, :], dim=1)
    return out


def ref_cumsum_rows(x: torch.Tensor) -> torch.Tensor:
    return torch.cumsum(x.float(), dim=1).to(x.dtype)


@helion.kernel(static_shapes=True)
def cumprod_rows_reversed(x: torch.Tensor) -> torch.Tensor:
    """Suffix products: a reverse scan starts at each row's last real element, not in the padding."""
    m, _n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = hl.associative_scan(mul, x[tile_m, :], dim=1, reverse=True)
    return out


def ref_cumprod_rows_reversed(x: torch.Tensor) -> torch.Tensor:
    return torch.cumprod(x.float().flip(1), dim=1).flip(1).to(x.dtype)


@helion.kernel(static_shapes=True)
def cumsum_columns(x: torch.Tensor) -> torch.Tensor:
    """hl.cumsum down the columns of a tile of columns."""
    _m, n = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        out[:, tile_n] = hl.cumsum(x[:, tile_n], dim=0)
    return out


def ref_cumsum_columns(x: torch.Tensor) -> torch.Tensor:
    return torch.cumsum(x.float(), dim=0).to(x.dtype)


@helion.kernel(static_shapes=True)
def row_max(x: torch.Tensor) -> torch.Tensor:
    """hl.reduce with our own combine function; the rows are negative, so padding must not count."""
    m, _n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = hl.reduce(larger, x[tile_m, :], dim=1)
    return out


def ref_row_max(x: torch.Tensor) -> torch.Tensor:
    return torch.amax(x, dim=1)


@helion.kernel(static_shapes=True)
def first_nonzero_keepdim(x: torch.Tensor) -> torch.Tensor:
    """A combine function whose operands' order matters, reduced with keep_dims."""
    m, _n = x.size()
    out = torch.empty([m, 1], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = hl.reduce(first_nonzero, x[tile_m, :], dim=1, keep_dims=True)
    return out


def ref_first_nonzero_keepdim(x: torch.Tensor) -> torch.Tensor:
    first = (x != 0).int().argmax(dim=1, keepdim=True)
    return torch.gather(x, 1, first)


@helion.kernel(static_shapes=True)
def argmax_by_reduce(x: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """hl.reduce over a tuple: each row's largest value carried with its column (`cols` holds every
    element's column index)."""
    m, _n = x.size()
    out = torch.empty([m], dtype=cols.dtype, device=x.device)
    for tile_m in hl.tile(m):
        _, index = hl.reduce(larger_with_index, (x[tile_m, :], cols[tile_m, :]), dim=1)
        out[tile_m] = index
    return out


def ref_argmax_by_reduce(x: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    return torch.gather(cols, 1, torch.argmax(x, dim=1, keepdim=True)).squeeze(1)


@helion.kernel(static_shapes=True)
def running_argmax(x: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """hl.associative_scan over a tuple: the column of the largest value so far along each row. The
    columns have the values' dtype: Helion 1.5.1 traces a tuple scan's combine function on inputs of
    the wrong dtypes when they differ."""
    m, _n = x.size()
    out = torch.empty_like(cols)
    for tile_m in hl.tile(m):
        _, index = hl.associative_scan(larger_with_index, (x[tile_m, :], cols[tile_m, :]), dim=1)
        out[tile_m, :] = index
    return out


def ref_running_argmax(x: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """The first column holding the running maximum (torch.cummax names the last one on ties, which
    16-bit values have often)."""
    best = torch.cummax(x.float(), dim=1).values
    n = x.size(1)
    seen = torch.arange(n)[None, :] <= torch.arange(n)[:, None]
    first = ((x.float()[:, None, :] == best[:, :, None]) & seen).int().argmax(-1)
    return torch.gather(cols, 1, first)


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py).
CHECKS = [
    {"kernel": "cumsum_rows", "args": ["torch.randn(100, 77)"], "ref": "ref_cumsum_rows", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "cumsum_rows", "args": ["torch.randn(37, 50, dtype=torch.float16)"], "ref": "ref_cumsum_rows",
     "config": {"block_sizes": [8]}, "rtol": 1e-2, "atol": 5e-2},
    {"kernel": "cumprod_rows_reversed", "args": ["torch.rand(100, 45) + 0.5"], "ref": "ref_cumprod_rows_reversed",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "cumprod_rows_reversed", "args": ["(torch.rand(21, 19) + 0.5).to(torch.bfloat16)"],
     "ref": "ref_cumprod_rows_reversed", "config": {"block_sizes": [4]}, "rtol": 5e-2, "atol": 5e-2},
    {"kernel": "cumsum_columns", "args": ["torch.randn(33, 70)"], "ref": "ref_cumsum_columns",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "cumsum_columns", "args": ["torch.randn(33, 70)"], "ref": "ref_cumsum_columns",
     "config": {"block_sizes": [16]}, "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "row_max", "args": ["torch.randn(100, 77) - 5"], "ref": "ref_row_max"},
    {"kernel": "row_max", "args": ["torch.randn(37, 70, dtype=torch.float16) - 5"], "ref": "ref_row_max",
     "config": {"block_sizes": [16]}},
    {"kernel": "first_nonzero_keepdim", "args": ["torch.randn(50, 29) * (torch.rand(50, 29) > 0.8)"],
     "ref": "ref_first_nonzero_keepdim"},
    {"kernel": "argmax_by_reduce", "args": ["torch.randn(100, 77) - 5", "torch.arange(77).repeat(100, 1)"],
     "ref": "ref_argmax_by_reduce"},
    {"kernel": "argmax_by_reduce", "args": ["torch.randn(37, 70, dtype=torch.float16)",
                                            "torch.arange(70, dtype=torch.int32).repeat(37, 1)"],
     "ref": "ref_argmax_by_reduce", "config": {"block_sizes": [16]}},
    {"kernel": "running_argmax", "args": ["torch.randn(100, 77)", "torch.arange(77.0).repeat(100, 1)"],
     "ref": "ref_running_argmax"},
    {"kernel": "running_argmax", "args": ["torch.randperm(1350).reshape(30, 45).to(torch.float16)",
                                          "torch.arange(45, dtype=torch.float16).repeat(30, 1)"],
     "ref": "ref_running_argmax", "config": {"block_sizes": [8]}},
    {"kernel": "first_nonzero_keepdim", "args": ["torch.randn(50, 29) * (torch.rand(50, 29) > 0.8)"],
     "ref": "ref_first_nonzero_keepdim", "config": {"block_sizes": [64]}},
]
