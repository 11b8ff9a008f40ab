"""hl.jagged_tile: Helion masks each access of the loop by its row's length in its codegen, which the
Device IR does not carry; lowered without the mask the loop would read other rows' elements, so the
capture refuses it in one line (directly and under the backend)."""

import pytest
import torch

import helion
import helion.language as hl
import helion2json
import helion_mlir  # noqa: F401  (registers backend "mlir" before the kernel is decorated)


@helion.kernel(static_shapes=True, backend="mlir", autotune_effort="none")
def jagged_row_sums(x: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([offsets.size(0) - 1], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(offsets.size(0) - 1):
        starts = offsets[tile_b]
        nnz = offsets[tile_b.index + 1] - starts
        acc = hl.zeros([tile_b], dtype=x.dtype)
        for tile_k in hl.jagged_tile(nnz):
            acc = acc + hl.load(x, [starts[:, None] + tile_k.index[None, :]]).sum(1)
        out[tile_b] = acc
    return out


ARGS = (torch.randn(30), torch.tensor([0, 5, 5, 17, 30]))


def test_capture_refuses_jagged_tiles():
    with pytest.raises(helion2json.CaptureError, match=r"^hl\.jagged_tile \(tile_k\) is not supported"):
        helion2json.export_kernel(jagged_row_sums, ARGS)


def test_backend_refuses_jagged_tiles():
    with pytest.raises(Exception, match=r"hl\.jagged_tile \(tile_k\) is not supported"):
        jagged_row_sums(*ARGS)
