"""Jagged rows: row i of a ragged batch spans values[offsets[i]:offsets[i + 1]]. The inner loops run
over ranges loaded from the offsets tensor, and positions inside a row are gathered by index."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def jagged_sum(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    rows = offsets.size(0) - 1
    dim = values.size(1)
    out = torch.empty([rows, dim], dtype=values.dtype, device=values.device)
    for tile_row, tile_d in hl.tile([rows, dim], block_size=[1, None]):
        first = offsets[tile_row.begin]
        last = offsets[tile_row.begin + 1]
        acc = hl.zeros([tile_d], dtype=torch.float32)
        for tile_v in hl.tile(first, last):
            acc = acc + values[tile_v, tile_d].to(torch.float32).sum(0)
        out[tile_row.begin, tile_d] = acc.to(out.dtype)
    return out


@helion.kernel(static_shapes=True)
def jagged_mean(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    rows = offsets.size(0) - 1
    dim = values.size(1)
    out = torch.empty([rows, dim], dtype=torch.float32, device=values.device)
    for tile_row, tile_d in hl.tile([rows, dim], block_size=[1, None]):
        first = offsets[tile_row.begin]
        last = offsets[tile_row.begin + 1]
        acc = hl.zeros([tile_d], dtype=torch.float32)
        for tile_v in hl.tile(first, last):
            acc = acc + values[tile_v, tile_d].to(torch.float32).sum(0)
        out[tile_row.begin, tile_d] = acc / (last - first).to(torch.float32)
    return out


@helion.kernel(static_shapes=True)
def jagged_max(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """One row per hl.grid index; rows must not be empty."""
    rows = offsets.size(0) - 1
    dim = values.size(1)
    out = torch.empty([rows, dim], dtype=values.dtype, device=values.device)
    for row in hl.grid(rows):
        first = offsets[row]
        last = offsets[row + 1]
        for tile_d in hl.tile(dim):
            acc = hl.full([tile_d], float("-inf"), dtype=torch.float32)
            for tile_v in hl.tile(first, last):
                acc = torch.maximum(acc, torch.amax(values[tile_v, tile_d].to(torch.float32), 0))
            out[row, tile_d] = acc.to(out.dtype)
    return out


@helion.kernel(static_shapes=True)
def jagged_to_padded(values: torch.Tensor, offsets: torch.Tensor, width: torch.Tensor) -> torch.Tensor:
    rows = offsets.size(0) - 1
    out = torch.empty([rows, width.size(0)], dtype=values.dtype, device=values.device)
    for tile_row, tile_j in hl.tile([rows, width.size(0)], block_size=[1, None]):
        first = offsets[tile_row.begin]
        length = offsets[tile_row.begin + 1] - first
        picked = values[first + tile_j.index]
        inside = (tile_j.index < length).to(values.dtype)
        out[tile_row.begin, tile_j] = picked * inside
    return out


@helion.kernel(static_shapes=True)
def jagged_add_dense(values: torch.Tensor, offsets: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
    """dense plus the jagged rows laid out from column 0, many rows per tile: the row starts are
    gathered at tile.index + 1, the elements through a 2-D index tensor with an extra mask."""
    rows, width = dense.size()
    out = torch.empty_like(dense)
    for tile_row, tile_col in hl.tile([rows, width]):
        first = offsets[tile_row]
        length = offsets[tile_row.index + 1] - first
        positions = first[:, None] + tile_col.index[None, :]
        inside = tile_col.index[None, :] < length[:, None]
        row_values = hl.load(values, [positions], extra_mask=inside)
        out[tile_row, tile_col] = dense[tile_row, tile_col] + row_values
    return out


def _rows(values: torch.Tensor, offsets: torch.Tensor) -> list[torch.Tensor]:
    return [values[offsets[i]:offsets[i + 1]] for i in range(offsets.numel() - 1)]


def jagged_sum_reference(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    return torch.stack([r.float().sum(0) for r in _rows(values, offsets)]).to(values.dtype)


def jagged_mean_reference(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    return torch.stack([r.float().mean(0) for r in _rows(values, offsets)])


def jagged_max_reference(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    return torch.stack([r.float().amax(0) for r in _rows(values, offsets)]).to(values.dtype)


def jagged_add_dense_reference(values: torch.Tensor, offsets: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
    out = dense.clone()
    for i, r in enumerate(_rows(values, offsets)):
        n = min(r.shape[0], dense.size(1))
        out[i, :n] += r[:n]
    return out


def jagged_to_padded_reference(values: torch.Tensor, offsets: torch.Tensor, width: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([offsets.numel() - 1, width.numel()], dtype=values.dtype)
    for i, r in enumerate(_rows(values, offsets)):
        n = min(r.shape[0], width.numel())
        out[i, :n] = r[:n]
    return out


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py). Rows are empty (not for the mean), shorter and longer than a tile; the
# references are the torch functions above.
CHECKS = [
    {"kernel": "jagged_sum", "args": ["torch.randn(100, 37)", "torch.tensor([0, 5, 5, 40, 77, 100])"],
     "ref": "jagged_sum_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "jagged_sum", "args": ["torch.randn(70, 19, dtype=torch.bfloat16)",
                                      "torch.tensor([0, 1, 17, 17, 70], dtype=torch.int32)"],
     "config": {"block_sizes": [8, 4]}, "ref": "jagged_sum_reference", "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "jagged_mean", "args": ["torch.randn(100, 37)", "torch.tensor([0, 5, 6, 40, 77, 100])"],
     "ref": "jagged_mean_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "jagged_mean", "args": ["torch.randn(70, 19, dtype=torch.float16)",
                                       "torch.tensor([0, 33, 34, 70])"],
     "config": {"block_sizes": [16, 16]}, "ref": "jagged_mean_reference", "rtol": 1e-3, "atol": 1e-3},
    {"kernel": "jagged_max", "args": ["torch.randn(100, 37)", "torch.tensor([0, 5, 6, 40, 77, 100])"],
     "ref": "jagged_max_reference"},
    {"kernel": "jagged_max", "args": ["torch.randn(70, 19, dtype=torch.bfloat16)", "torch.tensor([0, 1, 50, 70])"],
     "config": {"block_sizes": [8, 16]}, "ref": "jagged_max_reference"},
    {"kernel": "jagged_add_dense", "args": ["torch.randn(100)", "torch.tensor([0, 5, 5, 40, 77, 100])",
                                            "torch.randn(5, 30)"],
     "ref": "jagged_add_dense_reference"},
    {"kernel": "jagged_add_dense", "args": ["torch.randn(90, dtype=torch.float16)",
                                            "torch.tensor([0, 3, 20, 20, 41, 60, 61, 90], dtype=torch.int32)",
                                            "torch.randn(7, 19, dtype=torch.float16)"],
     "config": {"block_sizes": [4, 8]}, "ref": "jagged_add_dense_reference"},
    {"kernel": "jagged_to_padded", "args": ["torch.randn(100)", "torch.tensor([0, 5, 5, 40, 77, 100])",
                                            "torch.empty(30)"],
     "ref": "jagged_to_padded_reference"},
    {"kernel": "jagged_to_padded", "args": ["torch.randn(50, dtype=torch.float16)", "torch.tensor([0, 20, 21, 50])",
                                            "torch.empty(13)"],
     "config": {"block_sizes": [4]}, "ref": "jagged_to_padded_reference"},
]
