"""torch.sort and torch.topk of each row of a tile: values and indices, ascending and descending,
over rows that are no power of two long (the row's tile has padding, which must not be sorted in),
with ties (our sort is stable, so the reference is torch's stable sort) and NaN (the largest value)."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def sort_rows(x: torch.Tensor, descending: hl.constexpr) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    values = torch.empty_like(x)
    indices = torch.empty([m, n], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        v, i = torch.sort(x[tile_m, :], dim=-1, descending=descending)
        values[tile_m, :] = v
        indices[tile_m, :] = i
    return values, indices


def sort_rows_reference(x: torch.Tensor, descending: bool) -> tuple[torch.Tensor, torch.Tensor]:
    return tuple(torch.sort(x, dim=-1, descending=descending, stable=True))


@helion.kernel(static_shapes=True)
def sorted_prefix_sums(x: torch.Tensor) -> torch.Tensor:
    """The values of a descending sort, used by the next op (a cumsum); the indices are unused."""
    m, _n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        v, _ = torch.sort(x[tile_m, :], dim=-1, descending=True)
        out[tile_m, :] = torch.cumsum(v, dim=-1)
    return out


def sorted_prefix_sums_reference(x: torch.Tensor) -> torch.Tensor:
    return torch.cumsum(torch.sort(x, dim=-1, descending=True).values, dim=-1)


@helion.kernel(static_shapes=True)
def topk_rows(x: torch.Tensor, k: int, largest: hl.constexpr) -> tuple[torch.Tensor, torch.Tensor]:
    m, _n = x.size()
    k = hl.specialize(k)
    values = torch.empty([m, k], dtype=x.dtype, device=x.device)
    indices = torch.empty([m, k], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        v, i = torch.topk(x[tile_m, :], k, dim=-1, largest=largest)
        values[tile_m, :] = v
        indices[tile_m, :] = i
    return values, indices


def topk_rows_reference(x: torch.Tensor, k: int, largest: bool) -> tuple[torch.Tensor, torch.Tensor]:
    return tuple(torch.topk(x, k, dim=-1, largest=largest))


@helion.kernel(static_shapes=True)
def sort_columns(x: torch.Tensor) -> torch.Tensor:
    """A sort along the first dimension of a tile of columns, ascending."""
    _m, n = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        v, _ = torch.sort(x[:, tile_n], dim=0)
        out[:, tile_n] = v
    return out


def sort_columns_reference(x: torch.Tensor) -> torch.Tensor:
    return torch.sort(x, dim=0).values


CHECKS = [
    {"kernel": "sort_rows", "args": ["torch.randn(37, 20)", "True"], "ref": "sort_rows_reference"},
    {"kernel": "sort_rows", "args": ["torch.randn(37, 20)", "False"], "ref": "sort_rows_reference",
     "config": {"block_sizes": [8]}},
    {"kernel": "sort_rows", "args": ["torch.randint(-3, 3, (30, 16)).float()", "True"], "ref": "sort_rows_reference"},
    {"kernel": "sort_rows", "args": ["torch.randint(-3, 3, (30, 45), dtype=torch.int32)", "False"],
     "ref": "sort_rows_reference"},
    {"kernel": "sort_rows", "args": ["torch.where(torch.rand(21, 13) < 0.2, float('nan'), torch.randn(21, 13))", "True"],
     "ref": "sort_rows_reference"},
    {"kernel": "sort_rows", "args": ["torch.where(torch.rand(21, 13) < 0.2, float('nan'), torch.randn(21, 13))", "False"],
     "ref": "sort_rows_reference"},
    {"kernel": "sort_rows", "args": ["torch.randn(37, 20, dtype=torch.float16)", "True"], "ref": "sort_rows_reference",
     "config": {"block_sizes": [16]}},
    {"kernel": "sorted_prefix_sums", "args": ["torch.randn(37, 20)"], "ref": "sorted_prefix_sums_reference",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "topk_rows", "args": ["torch.randn(37, 20)", "5", "True"], "ref": "topk_rows_reference"},
    {"kernel": "topk_rows", "args": ["torch.stack([torch.randperm(20) for _ in range(37)]).to(torch.bfloat16)", "3", "False"],
     "ref": "topk_rows_reference", "config": {"block_sizes": [4]}},
    {"kernel": "sort_columns", "args": ["torch.randn(19, 40)"], "ref": "sort_columns_reference",
     "config": {"block_sizes": [16]}},
]
