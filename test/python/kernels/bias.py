"""A bias added along the columns, for the launch-time extent check (test_run_extents.py) and the
runtime verification it would otherwise leave to (test_runtime_checks.py): a bias shorter than the
columns is what both refuse."""

import torch

import helion
import helion.language as hl


def add_bias_kernel(static_shapes: bool):
    @helion.kernel(static_shapes=static_shapes)
    def add_bias(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile_m, tile_n in hl.tile(x.size()):
            out[tile_m, tile_n] = x[tile_m, tile_n] + bias[tile_n]
        return out

    return add_bias
