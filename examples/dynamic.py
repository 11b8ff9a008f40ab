"""Kernels bound with static_shapes=False: host sizes stay symbolic, so the module takes memrefs of
`?` sizes (read with memref.dim) and one compiled kernel serves every size."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=False)
def scale_shift(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(out.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n] * 2.0 + shift[tile_n]
    return out


@helion.kernel(static_shapes=False)
def row_norm(x: torch.Tensor) -> torch.Tensor:
    rows, _cols = x.size()
    out = torch.empty([rows], dtype=torch.float32, device=x.device)
    for tile_r in hl.tile(rows):
        row = x[tile_r, :].to(torch.float32)
        out[tile_r] = torch.sqrt(torch.sum(row * row, dim=1))
    return out


@helion.kernel(static_shapes=False)
def matmul_dyn(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _k, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


@helion.kernel(static_shapes=False)
def embedding_dyn(ids: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    out = torch.empty([ids.size(0), table.size(1)], dtype=table.dtype, device=table.device)
    for tile_n, tile_d in hl.tile(out.size()):
        out[tile_n, tile_d] = table[ids[tile_n], tile_d]
    return out


@helion.kernel(static_shapes=False)
def jagged_sum_dyn(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Row i sums values[offsets[i]:offsets[i + 1]]: every batch has its own row count and length."""
    rows = offsets.size(0) - 1
    out = torch.empty([rows, values.size(1)], dtype=values.dtype, device=values.device)
    for tile_row, tile_d in hl.tile([rows, values.size(1)], block_size=[1, None]):
        acc = hl.zeros([tile_d], dtype=torch.float32)
        for tile_v in hl.tile(offsets[tile_row.begin], offsets[tile_row.begin + 1]):
            acc = acc + values[tile_v, tile_d].to(torch.float32).sum(0)
        out[tile_row.begin, tile_d] = acc.to(out.dtype)
    return out


@helion.kernel(static_shapes=False)
def scale_shift_rows(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """`scale` is (1, n): its dimension 0, settled to size 1 as Helion's codegen does, broadcasts over
    the row tile."""
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(out.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n] * scale[tile_m, tile_n]
    return out


def scale_shift_reference(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    return x * 2.0 + shift


def scale_shift_rows_reference(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * scale


def row_norm_reference(x: torch.Tensor) -> torch.Tensor:
    return torch.linalg.vector_norm(x.float(), dim=1)


def embedding_dyn_reference(ids: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    return table[ids]


def jagged_sum_dyn_reference(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    rows = [values[offsets[i]:offsets[i + 1]].float().sum(0) for i in range(offsets.numel() - 1)]
    return torch.stack(rows).to(values.dtype)


def matmul_dyn_reference(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (x.float() @ y.float()).to(x.dtype)


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py); test/python/test_dynamic.py runs one compiled module at several sizes.
@helion.kernel(static_shapes=False)
def spread_row(x: torch.Tensor, bounds: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """x's one row, doubled, into out's rows [bounds[g], bounds[g + 1]) for each g: a tile over a
    dimension of size 1 reads it broadcast, and with every offset of the view 0 (the row's width
    specialised, so the ':' is the constant 16) its type has offset 0 whatever the strides."""
    n = hl.specialize(x.size(1))
    for g in hl.tile(bounds.size(0) - 1, block_size=1):
        start = bounds[g.begin]
        end = bounds[g.begin + 1]
        for tile_r in hl.tile(start, end):
            row = x[tile_r, :]
            out[tile_r, :] = row.reshape([tile_r.block_size, n]) * 2
    return out


def spread_row_reference(x: torch.Tensor, bounds: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    out = out.clone()
    for g in range(bounds.numel() - 1):
        out[int(bounds[g]) : int(bounds[g + 1])] = x[0] * 2
    return out


@helion.kernel(static_shapes=False)
def end_columns(x: torch.Tensor, totals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x[:, -1] + x[:, -3], counted from the end of a width known only at run time (torch's negative
    indices), a column outside x reading zero; totals[-1] gains their sum atomically."""
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        v = x[tile, -1] + x[tile, -3]
        out[tile] = v
        hl.atomic_add(totals, [-1], v.sum())
    return out, totals


def end_columns_reference(x: torch.Tensor, totals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    out = x[:, -1] + (x[:, -3] if x.size(1) >= 3 else 0)
    totals = totals.clone()
    totals[-1] += out.sum()
    return out, totals


CHECKS = [
    {"kernel": "end_columns", "args": ["torch.randn(100, 7)", "torch.zeros(3)"], "ref": "end_columns_reference",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "end_columns", "args": ["torch.randn(37, 2)", "torch.zeros(1)"], "config": {"block_sizes": [16]},
     "ref": "end_columns_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "scale_shift", "args": ["torch.randn(100, 77)", "torch.randn(77)"], "ref": "scale_shift_reference"},
    {"kernel": "scale_shift", "args": ["torch.randn(37, 129, dtype=torch.float16)", "torch.randn(129, dtype=torch.float16)"],
     "config": {"block_sizes": [16, 64]}, "ref": "scale_shift_reference"},
    {"kernel": "scale_shift_rows", "args": ["torch.randn(100, 77)", "torch.randn(1, 77)"],
     "ref": "scale_shift_rows_reference"},
    {"kernel": "row_norm", "args": ["torch.randn(100, 77)"], "ref": "row_norm_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "row_norm", "args": ["torch.randn(33, 200, dtype=torch.bfloat16)"], "config": {"block_sizes": [8]},
     "ref": "row_norm_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "embedding_dyn", "args": ["torch.randint(0, 30, (50,))", "torch.randn(30, 70)"],
     "ref": "embedding_dyn_reference"},
    {"kernel": "embedding_dyn", "args": ["torch.randint(0, 9, (77,))", "torch.randn(9, 33, dtype=torch.bfloat16)"],
     "config": {"block_sizes": [16, 8]}, "ref": "embedding_dyn_reference"},
    {"kernel": "jagged_sum_dyn", "args": ["torch.randn(100, 37)", "torch.tensor([0, 5, 5, 40, 77, 100])"],
     "ref": "jagged_sum_dyn_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "jagged_sum_dyn", "args": ["torch.randn(60, 9, dtype=torch.float16)", "torch.tensor([0, 33, 60])"],
     "config": {"block_sizes": [8, 16]}, "ref": "jagged_sum_dyn_reference", "rtol": 1e-3, "atol": 1e-3},
    {"kernel": "matmul_dyn", "args": ["torch.randn(100, 70)", "torch.randn(70, 50)"], "ref": "matmul_dyn_reference",
     "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "matmul_dyn", "args": ["torch.randn(45, 33, dtype=torch.float16)", "torch.randn(33, 29, dtype=torch.float16)"],
     "config": {"block_sizes": [16, 16, 8]}, "ref": "matmul_dyn_reference", "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "spread_row", "args": ["torch.randn(1, 16)", "torch.tensor([2, 9, 9, 11], dtype=torch.int32)",
                                      "torch.zeros(12, 16)"], "config": {"block_sizes": [4]}, "ref": "spread_row_reference"},
]
