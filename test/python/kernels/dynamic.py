"""Kernels whose captures carry more than static sizes: symbolic input sizes, a scalar argument, a branch."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=False)
def scale(x: torch.Tensor, alpha: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * alpha
    return out


@helion.kernel(static_shapes=True)
def double_first_tile(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        if tile.begin == 0:
            v = v * 2
        out[tile] = v
    return out
