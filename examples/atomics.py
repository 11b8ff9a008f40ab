"""Atomic updates of host tensors from the tile grid: hl.atomic_add into one element (a global sum)
and hl.atomic_max into a row of column maxima, each starting from the host code's fill value."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def global_sum(x: torch.Tensor) -> torch.Tensor:
    (n,) = x.size()
    result = torch.zeros([1], dtype=torch.float32, device=x.device)
    for tile in hl.tile(n):
        hl.atomic_add(result, [0], x[tile].sum())
    return result


@helion.kernel(static_shapes=True)
def column_max(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    result = torch.full([n], float("-inf"), dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        hl.atomic_max(result, [tile_n], torch.amax(x[tile_m, tile_n], 0))
    return result


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py); the reference is Helion's interpreter.
CHECKS = [
    {"kernel": "global_sum", "args": ["torch.randn(1000)"], "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "global_sum", "args": ["torch.randn(77)"], "config": {"block_sizes": [16]}, "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "column_max", "args": ["torch.randn(100, 77)"]},
    {"kernel": "column_max", "args": ["torch.randn(100, 77)"], "config": {"block_sizes": [32, 16]}},
]
