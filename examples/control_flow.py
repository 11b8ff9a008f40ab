"""Control flow on the device: if/else, while loops, nested and explicit-range tile loops, hl.grid."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def sign_by_row_sum(x: torch.Tensor) -> torch.Tensor:
    """Rows whose sum is positive are doubled, the others negated: an `if` on a reduced value."""
    m, _n = x.size()
    out = torch.empty_like(x)
    for i in hl.grid(m):
        row = x[i, :]
        if row.sum() > 0:
            row = row * 2.0
        else:
            row = -row
        out[i, :] = row
    return out


def ref_sign_by_row_sum(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x.float().sum(dim=1, keepdim=True) > 0, x * 2.0, -x)


@helion.kernel(static_shapes=True)
def copy_positive_rows(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """A store only in one branch: the `if` merges no values, and rows it skips keep `out`'s contents."""
    m, _n = x.size()
    for i in hl.grid(m):
        row = x[i, :]
        if row.sum() > 0:
            out[i, :] = row
    return out


def ref_copy_positive_rows(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    return torch.where(x.float().sum(dim=1, keepdim=True) > 0, x, out)


@helion.kernel(static_shapes=True)
def scale_or_shift(x: torch.Tensor, scale: int) -> torch.Tensor:
    """An `if` on a scalar argument inside the tile loop."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        v = x[tile]
        if scale > 1:
            v = v * scale
        else:
            v = v + 1.0
        out[tile] = v
    return out


def ref_scale_or_shift(x: torch.Tensor, scale: int) -> torch.Tensor:
    return x * scale if scale > 1 else x + 1.0


@helion.kernel(static_shapes=True)
def weighted_steps(x: torch.Tensor, flag: bool) -> torch.Tensor:
    """A bool argument in a condition with the step of an hl.static_range: the device function takes
    it as the expression Eq(u0, 1) of an int symbol."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        acc = hl.zeros([tile], dtype=torch.float32)
        for step in hl.static_range(3):
            if flag and step != 1:
                v = x[tile] * (step + 1)
            else:
                v = x[tile] - 1.0
            acc = acc + v
        out[tile] = acc
    return out


def ref_weighted_steps(x: torch.Tensor, flag: bool) -> torch.Tensor:
    return sum(x * (step + 1) if flag and step != 1 else x - 1.0 for step in range(3))


@helion.kernel(static_shapes=True)
def combined_conditions(x: torch.Tensor, a: int, b: int) -> torch.Tensor:
    """Conditions joined with `and`, `or` and `not`."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        v = x[tile]
        if a > 0 and b > 0:
            v = v * 2.0
        if not (a > 5 or b > 5):
            v = v + 1.0
        out[tile] = v
    return out


def ref_combined_conditions(x: torch.Tensor, a: int, b: int) -> torch.Tensor:
    v = x * 2.0 if a > 0 and b > 0 else x
    return v if a > 5 or b > 5 else v + 1.0


@helion.kernel(static_shapes=True)
def halve_until_small(x: torch.Tensor) -> torch.Tensor:
    """Each row is halved until its largest magnitude is at most 1: a while loop on a reduced value."""
    m, _n = x.size()
    out = torch.empty_like(x)
    for i in hl.grid(m):
        row = x[i, :]
        while torch.amax(torch.abs(row)) > 1.0:
            row = row * 0.5
        out[i, :] = row
    return out


def ref_halve_until_small(x: torch.Tensor) -> torch.Tensor:
    out = x.clone()
    for i in range(x.size(0)):
        while out[i].abs().max() > 1.0:
            out[i] = out[i] * 0.5
    return out


@helion.kernel(static_shapes=True)
def signed_row_sum(x: torch.Tensor, sign: int) -> torch.Tensor:
    """An `if` inside an inner tile loop: each branch updates the loop-carried accumulator."""
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            v = x[tile_m, tile_n]
            if sign >= 0:
                acc = acc + v.sum(dim=1)
            else:
                acc = acc - v.sum(dim=1)
        out[tile_m] = acc.to(out.dtype)
    return out


def ref_signed_row_sum(x: torch.Tensor, sign: int) -> torch.Tensor:
    total = x.float().sum(dim=1)
    return (total if sign >= 0 else -total).to(x.dtype)


@helion.kernel(static_shapes=True)
def shrink_rows(x: torch.Tensor) -> torch.Tensor:
    """An `if` inside a while loop: rows with a positive sum are halved, the others quartered, until
    their largest magnitude is at most 1."""
    m, _n = x.size()
    out = torch.empty_like(x)
    for i in hl.grid(m):
        row = x[i, :]
        while torch.amax(torch.abs(row)) > 1.0:
            if torch.sum(row) > 0:
                row = row * 0.5
            else:
                row = row * 0.25
        out[i, :] = row
    return out


def ref_shrink_rows(x: torch.Tensor) -> torch.Tensor:
    out = x.clone()
    for i in range(x.size(0)):
        while out[i].abs().max() > 1.0:
            out[i] = out[i] * (0.5 if out[i].float().sum() > 0 else 0.25)
    return out


@helion.kernel(static_shapes=True)
def nested_sum(x: torch.Tensor) -> torch.Tensor:
    """A 2-D tile loop inside the grid: each batch's [m, n] plane summed tile by tile."""
    b, m, n = x.size()
    out = torch.empty([b], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(b):
        acc = hl.zeros([tile_b], dtype=torch.float32)
        for tile_m, tile_n in hl.tile([m, n]):
            acc = acc + x[tile_b, tile_m, tile_n].sum(dim=2).sum(dim=1)
        out[tile_b] = acc.to(out.dtype)
    return out


def ref_nested_sum(x: torch.Tensor) -> torch.Tensor:
    return x.float().sum(dim=[1, 2]).to(x.dtype)


@helion.kernel(static_shapes=True)
def last_dim_sum(x: torch.Tensor) -> torch.Tensor:
    """A tile loop inside a tile loop inside the grid; the middle loop stores, the inner one carries."""
    b, m, n = x.size()
    out = torch.empty([b, m], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(b):
        for tile_m in hl.tile(m):
            acc = hl.zeros([tile_b, tile_m], dtype=torch.float32)
            for tile_n in hl.tile(n):
                acc = acc + x[tile_b, tile_m, tile_n].sum(dim=2)
            out[tile_b, tile_m] = acc.to(out.dtype)
    return out


def ref_last_dim_sum(x: torch.Tensor) -> torch.Tensor:
    return x.float().sum(dim=2).to(x.dtype)


@helion.kernel(static_shapes=True)
def tail_sum(x: torch.Tensor) -> torch.Tensor:
    """The sum of each row past its first three columns: an inner loop from an explicit begin, with a
    block size registered up front."""
    m, n = x.size()
    block_n = hl.register_block_size(n)
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(3, n, block_size=block_n):
            acc = acc + x[tile_m, tile_n].sum(dim=1)
        out[tile_m] = acc.to(out.dtype)
    return out


def ref_tail_sum(x: torch.Tensor) -> torch.Tensor:
    return x[:, 3:].float().sum(dim=1).to(x.dtype)


@helion.kernel(static_shapes=True)
def upper_triangle_row_sum(x: torch.Tensor) -> torch.Tensor:
    """Row sums of the upper triangle: the inner loop starts at the row tile's begin (a bound the
    kernel computes, so an scf.for), and a mask keeps the columns at or right of each row."""
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(tile_m.begin, n):
            keep = tile_n.index[None, :] >= tile_m.index[:, None]
            acc = acc + (x[tile_m, tile_n] * keep.to(x.dtype)).sum(dim=1)
        out[tile_m] = acc.to(out.dtype)
    return out


def ref_upper_triangle_row_sum(x: torch.Tensor) -> torch.Tensor:
    return torch.triu(x.float()).sum(dim=1).to(x.dtype)


@helion.kernel(static_shapes=True)
def odd_column_sum(x: torch.Tensor) -> torch.Tensor:
    """The sum of every other column from column 1: hl.grid with a begin and a step inside a tile."""
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for j in hl.grid(1, n, 2):
            acc = acc + x[tile_m, j]
        out[tile_m] = acc.to(out.dtype)
    return out


def ref_odd_column_sum(x: torch.Tensor) -> torch.Tensor:
    return x[:, 1::2].float().sum(dim=1).to(x.dtype)


@helion.kernel(static_shapes=True)
def optional_row_sum(x: torch.Tensor, enabled: int) -> torch.Tensor:
    """A tile loop inside an `if` branch: the branch's graph runs the loop and yields its result."""
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        if enabled > 0:
            for tile_n in hl.tile(n):
                acc = acc + x[tile_m, tile_n].sum(dim=1)
        out[tile_m] = acc.to(out.dtype)
    return out


def ref_optional_row_sum(x: torch.Tensor, enabled: int) -> torch.Tensor:
    return x.float().sum(dim=1).to(x.dtype) if enabled > 0 else torch.zeros(x.size(0), dtype=x.dtype)


@helion.kernel(static_shapes=True)
def weighted_orders(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """A recurrence over rows of w one at a time (block_size=1): w[order, tile_c] is a tile one row
    wide that broadcasts over tile_b, as a size-1 dimension does."""
    b, c = x.shape
    n = w.size(0)
    out = torch.empty_like(x)
    for tile_b, tile_c in hl.tile([b, c]):
        v = x[tile_b, tile_c]
        prev = hl.full([tile_b, tile_c], 1.0, x.dtype)
        cur = v
        acc = w[0, tile_c] * prev + w[1, tile_c] * cur
        for order in hl.tile(2, n, block_size=1):
            nxt = 2.0 * v * cur - prev
            acc = acc + w[order, tile_c] * nxt
            prev = cur
            cur = nxt
        out[tile_b, tile_c] = acc
    return out


def ref_weighted_orders(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    prev, cur = torch.ones_like(x), x
    acc = w[0] * prev + w[1] * cur
    for k in range(2, w.size(0)):
        prev, cur = cur, 2.0 * x * cur - prev
        acc = acc + w[k] * cur
    return acc



@helion.kernel(static_shapes=True)
def heads_by_program(a: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One grid over both tensors' heads, hl.grid([2, t, max(ha, hc)]): program 0 scales a's rows
    (a[i, h, :], a subview), program 1 shifts c's (c[i, h, hl.arange(0, d)], a gather), each under
    `if h < its head count`. The head index spans the larger count, past the smaller tensor's heads:
    those accesses are guarded by the tensor's extent, where Triton masks them (a load there reads
    zeros, a store there is skipped)."""
    t = a.size(0)
    ha = hl.specialize(a.size(1))
    hc = hl.specialize(c.size(1))
    hmax = hl.specialize(max(a.size(1), c.size(1)))
    d = hl.specialize(a.size(2))
    out_a = torch.empty_like(a)
    out_c = torch.empty_like(c)
    for pid, i, h in hl.grid([2, t, hmax]):
        if pid == 0:
            if h < ha:
                row = a[i, h, :]
                out_a[i, h, :] = row * torch.rsqrt((row * row).sum(-1) / d + 1e-6)
        elif h < hc:
            out_c[i, h, hl.arange(0, d)] = c[i, h, hl.arange(0, d)] + 1.0
    return out_a, out_c


def ref_heads_by_program(a: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return a * torch.rsqrt((a * a).sum(-1, keepdim=True) / a.size(2) + 1e-6), c + 1.0



@helion.kernel(static_shapes=True)
def causal_row_sums(x: torch.Tensor, n: int) -> torch.Tensor:
    """out[i] = x[i, 0] + ... + x[i, i] for the first n rows: tiles over an int argument (as Helion's
    jagged_hstu_attn tiles max_seq_len) around a loop up to the row tile's end, hl.tile(0, tile_m.end),
    whose block's size is that tile position."""
    out = torch.zeros([x.size(0)], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(n):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_k in hl.tile(0, tile_m.end):
            keep = tile_k.index[None, :] <= tile_m.index[:, None]
            acc += torch.where(keep, x[tile_m, tile_k], 0.0).sum(-1)
        out[tile_m] = acc.to(x.dtype)
    return out


def ref_causal_row_sums(x: torch.Tensor, n: int) -> torch.Tensor:
    out = torch.zeros([x.size(0)], dtype=x.dtype)
    out[:n] = torch.tril(x.float())[:n].sum(-1).to(x.dtype)
    return out


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py), at shapes that are no multiple of the tiles. Kernels over hl.grid rows
# have no tile size to vary; looping their row reductions (reduction_loops) makes Helion roll the
# while loop and the branch into each chunk, which is another computation than the kernel's, and which
# Helion and helion-mlir both refuse (NestedDeviceLoopsConflict; test/python/test_config_edges.py).
CHECKS = [
    {"kernel": "sign_by_row_sum", "args": ["torch.randn(37, 77)"], "ref": "ref_sign_by_row_sum"},
    {"kernel": "sign_by_row_sum", "args": ["torch.randn(37, 77, dtype=torch.float16)"], "ref": "ref_sign_by_row_sum",
     "rtol": 1e-3, "atol": 1e-3},
    {"kernel": "copy_positive_rows", "args": ["torch.randn(37, 77)", "torch.full((37, 77), 7.0)"],
     "ref": "ref_copy_positive_rows"},
    {"kernel": "copy_positive_rows", "args": ["torch.randn(20, 130, dtype=torch.float16)",
                                              "torch.zeros(20, 130, dtype=torch.float16)"],
     "ref": "ref_copy_positive_rows"},
    {"kernel": "scale_or_shift", "args": ["torch.randn(100, 77)", "3"], "ref": "ref_scale_or_shift"},
    {"kernel": "weighted_steps", "args": ["torch.randn(77)", "True"], "ref": "ref_weighted_steps", "rtol": 1e-5,
     "atol": 1e-5},
    {"kernel": "weighted_steps", "args": ["torch.randn(77)", "False"], "ref": "ref_weighted_steps"},
    {"kernel": "scale_or_shift", "args": ["torch.randn(100, 77, dtype=torch.bfloat16)", "0"],
     "ref": "ref_scale_or_shift", "config": {"block_sizes": [16, 64]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "combined_conditions", "args": ["torch.randn(100, 77)", "1", "2"], "ref": "ref_combined_conditions"},
    {"kernel": "combined_conditions", "args": ["torch.randn(33, 65, dtype=torch.float16)", "6", "1"],
     "ref": "ref_combined_conditions", "config": {"block_sizes": [8, 64]}},
    {"kernel": "halve_until_small", "args": ["torch.randn(37, 77) * 4"], "ref": "ref_halve_until_small"},
    {"kernel": "halve_until_small", "args": ["torch.randn(19, 130, dtype=torch.float16) * 4"],
     "ref": "ref_halve_until_small"},
    {"kernel": "signed_row_sum", "args": ["torch.randn(100, 77)", "1"], "ref": "ref_signed_row_sum",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "signed_row_sum", "args": ["torch.randn(45, 70, dtype=torch.float16)", "-1"],
     "ref": "ref_signed_row_sum", "config": {"block_sizes": [16, 32]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "shrink_rows", "args": ["torch.randn(37, 77) * 4"], "ref": "ref_shrink_rows"},
    {"kernel": "shrink_rows", "args": ["torch.randn(19, 130, dtype=torch.bfloat16) * 4"], "ref": "ref_shrink_rows"},
    {"kernel": "nested_sum", "args": ["torch.randn(5, 30, 40)"], "ref": "ref_nested_sum", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "nested_sum", "args": ["torch.randn(9, 21, 35, dtype=torch.bfloat16)"], "ref": "ref_nested_sum",
     "config": {"block_sizes": [4, 8, 16]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "last_dim_sum", "args": ["torch.randn(5, 30, 40)"], "ref": "ref_last_dim_sum",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "last_dim_sum", "args": ["torch.randn(3, 21, 50, dtype=torch.float16)"], "ref": "ref_last_dim_sum",
     "config": {"block_sizes": [2, 8, 16]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "tail_sum", "args": ["torch.randn(100, 77)"], "ref": "ref_tail_sum", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "tail_sum", "args": ["torch.randn(45, 70, dtype=torch.float16)"], "ref": "ref_tail_sum",
     "config": {"block_sizes": [16, 16]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "upper_triangle_row_sum", "args": ["torch.randn(100, 77)"], "ref": "ref_upper_triangle_row_sum",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "upper_triangle_row_sum", "args": ["torch.randn(50, 90, dtype=torch.float16)"],
     "ref": "ref_upper_triangle_row_sum", "config": {"block_sizes": [16, 32]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "optional_row_sum", "args": ["torch.randn(100, 77)", "1"], "ref": "ref_optional_row_sum",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "optional_row_sum", "args": ["torch.randn(30, 50, dtype=torch.float16)", "0"],
     "ref": "ref_optional_row_sum", "config": {"block_sizes": [16, 16]}},
    {"kernel": "odd_column_sum", "args": ["torch.randn(100, 77)"], "ref": "ref_odd_column_sum",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "odd_column_sum", "args": ["torch.randn(33, 20, dtype=torch.float16)"], "ref": "ref_odd_column_sum",
     "config": {"block_sizes": [8]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "weighted_orders", "args": ["torch.randn(45, 70)", "torch.randn(5, 70)"], "ref": "ref_weighted_orders",
     "config": {"block_sizes": [16, 32]}, "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "heads_by_program", "args": ["torch.randn(3, 5, 16)", "torch.randn(3, 7, 16)"],
     "ref": "ref_heads_by_program", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "heads_by_program", "args": ["torch.randn(4, 8, 32, dtype=torch.bfloat16)",
                                            "torch.randn(4, 6, 32, dtype=torch.bfloat16)"],
     "ref": "ref_heads_by_program", "rtol": 2e-2, "atol": 2e-2},
    {"kernel": "causal_row_sums", "args": ["torch.randn(37, 40)", "37"], "ref": "ref_causal_row_sums",
     "config": {"block_sizes": [16, 8]}, "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "causal_row_sums", "args": ["torch.randn(50, 50)", "21"], "ref": "ref_causal_row_sums",
     "config": {"block_sizes": [8, 16]}, "rtol": 1e-5, "atol": 1e-5},
]
