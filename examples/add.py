"""Elementwise add over a 2-D tile grid."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out


def reference(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return x + y


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py): shapes that are no multiple of the tiles, so edge tiles are masked.
CHECKS = [
    {"kernel": "add", "args": ["torch.randn(100, 77)", "torch.randn(100, 77)"]},
    {"kernel": "add", "args": ["torch.randn(37, 129, dtype=torch.float16)", "torch.randn(37, 129, dtype=torch.float16)"],
     "config": {"block_sizes": [16, 64]}},
    {"kernel": "add", "args": ["torch.randn(1000, 3)", "torch.randn(1000, 3)"], "config": {"block_sizes": [64, 4]}},
    # y's strides are [0, 0]: a tile's view of it starts at offset 0 wherever the tile is.
    {"kernel": "add", "args": ["torch.randn(100, 77)", "torch.randn(1).expand(100, 77)"]},
]
