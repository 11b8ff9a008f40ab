"""hl.jagged_tile: an inner loop whose length differs per row of the enclosing tile. The loop runs to
the largest row end, and Helion masks every load, store and `_mask_to` by each row's own end, so a
row never sees the elements past it (the next row's, or past the tensor)."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def jagged_tile_sum(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Row sums of packed jagged rows [rows, *, dim]: the rows' elements gathered through a 2-D index
    tensor, which reaches into the next rows (and past the tensor) where the mask does not stop it."""
    rows = offsets.size(0) - 1
    dim = values.size(1)
    out = torch.zeros([rows, dim], dtype=values.dtype, device=values.device)
    for tile_b in hl.tile(rows):
        starts = offsets[tile_b]
        lengths = offsets[tile_b.index + 1] - starts
        for tile_d in hl.tile(dim):
            acc = hl.zeros([tile_b, tile_d], dtype=torch.float32)
            for tile_k in hl.jagged_tile(lengths):
                at = starts[:, None] + tile_k.index[None, :]
                acc = acc + hl.load(values, [at, tile_d]).to(torch.float32).sum(dim=1)
            out[tile_b, tile_d] = acc.to(out.dtype)
    return out


@helion.kernel(static_shapes=True)
def jagged_tile_max(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The largest of the first lengths[i] elements of each row of a padded [rows, width] tensor,
    whose padding holds larger values than the rows: the `_mask_to` before the max must hide it."""
    rows = x.size(0)
    out = torch.empty([rows], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(rows):
        ends = lengths[tile_b]
        acc = hl.full([tile_b], float("-inf"), dtype=torch.float32)
        for tile_k in hl.jagged_tile(ends):
            acc = torch.maximum(acc, x[tile_b, tile_k].to(torch.float32).amax(dim=1))
        out[tile_b] = acc.to(out.dtype)
    return out


@helion.kernel(static_shapes=True)
def jagged_tile_scale(x: torch.Tensor, lengths: torch.Tensor, scale: torch.Tensor,
                      out: torch.Tensor) -> torch.Tensor:
    """The first lengths[i] elements of row i of x scaled by scale[i], written into out: a store over
    the jagged tile leaves each row's elements of out past its end as they were."""
    rows = x.size(0)
    for tile_b in hl.tile(rows):
        ends = lengths[tile_b]
        s = scale[tile_b]
        for tile_k in hl.jagged_tile(ends):
            out[tile_b, tile_k] = x[tile_b, tile_k] * s[:, None]
    return out


@helion.kernel(static_shapes=True)
def jagged_tile_grid(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Per (row, column) tile of a [rows, cols, width] tensor, the sum of the first lengths[row, col]
    elements: a parent tensor of two tiles."""
    rows, cols, _ = x.size()
    out = torch.empty([rows, cols], dtype=x.dtype, device=x.device)
    for tile_r, tile_c in hl.tile([rows, cols]):
        ends = lengths[tile_r, tile_c]
        acc = hl.zeros([tile_r, tile_c], dtype=torch.float32)
        for tile_k in hl.jagged_tile(ends):
            acc = acc + x[tile_r, tile_c, tile_k].to(torch.float32).sum(dim=2)
        out[tile_r, tile_c] = acc.to(out.dtype)
    return out


def jagged_tile_sum_reference(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    rows = [values[offsets[i]:offsets[i + 1]].float().sum(0) for i in range(offsets.numel() - 1)]
    return torch.stack(rows).to(values.dtype)


def _prefix_mask(lengths: torch.Tensor, width: int) -> torch.Tensor:
    return torch.arange(width) < lengths.unsqueeze(-1)


def jagged_tile_max_reference(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    masked = x.float().masked_fill(~_prefix_mask(lengths, x.size(1)), float("-inf"))
    return masked.amax(1).to(x.dtype)


def jagged_tile_scale_reference(x: torch.Tensor, lengths: torch.Tensor, scale: torch.Tensor,
                                out: torch.Tensor) -> torch.Tensor:
    return torch.where(_prefix_mask(lengths, x.size(1)), x * scale[:, None], torch.full_like(x, 7.0))


def jagged_tile_grid_reference(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    return (x.float() * _prefix_mask(lengths, x.size(2))).sum(2).to(x.dtype)


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py). Rows are empty, shorter and longer than a tile, and the tiles
# of rows are partial; the references are the torch functions above.
CHECKS = [
    {"kernel": "jagged_tile_sum", "args": ["torch.randn(100, 37)", "torch.tensor([0, 5, 5, 40, 77, 100])"],
     "config": {"block_sizes": [4, 16, 8]}, "ref": "jagged_tile_sum_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "jagged_tile_sum", "args": ["torch.randn(70, 19, dtype=torch.bfloat16)",
                                           "torch.tensor([0, 1, 17, 17, 70], dtype=torch.int32)"],
     "ref": "jagged_tile_sum_reference", "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "jagged_tile_max", "args": ["torch.randn(13, 40) + torch.arange(40)",
                                           "torch.tensor([1, 40, 7, 0, 16, 17, 3, 39, 2, 8, 9, 31, 32])"],
     "config": {"block_sizes": [4, 8]}, "ref": "jagged_tile_max_reference"},
    {"kernel": "jagged_tile_scale", "args": ["torch.randn(9, 21)", "torch.tensor([0, 21, 3, 8, 9, 1, 20, 5, 16])",
                                             "torch.randn(9)", "torch.full((9, 21), 7.0)"],
     "config": {"block_sizes": [4, 8]}, "ref": "jagged_tile_scale_reference"},
    {"kernel": "jagged_tile_grid", "args": ["torch.randn(5, 6, 11, dtype=torch.float16)",
                                            "torch.randint(0, 12, (5, 6))"],
     "config": {"block_sizes": [2, 4, 4]}, "ref": "jagged_tile_grid_reference", "rtol": 1e-2, "atol": 1e-2},
]
