"""A kernel that returns two tensors (`return a, b`)."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def add_sub(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    total = torch.empty_like(x)
    diff = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        total[tile] = x[tile] + y[tile]
        diff[tile] = x[tile] - y[tile]
    return total, diff
