"""A loop carrying 17 accumulators: more block arguments than the 16 a fixed-size array once held
(hm_region_with_block sizes its arrays from the request)."""

import torch

import helion
import helion.language as hl
import helion_mlir


@helion.kernel(static_shapes=True)
def weighted_row_sums(x: torch.Tensor) -> torch.Tensor:
    """out[i, k] = sum_j x[i, j] * (k + 1), for k < 17, each in its own loop-carried accumulator."""
    out = torch.empty([x.size(0), 17], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        acc0 = hl.zeros([tile_m], dtype=torch.float32)
        acc1 = hl.zeros([tile_m], dtype=torch.float32)
        acc2 = hl.zeros([tile_m], dtype=torch.float32)
        acc3 = hl.zeros([tile_m], dtype=torch.float32)
        acc4 = hl.zeros([tile_m], dtype=torch.float32)
        acc5 = hl.zeros([tile_m], dtype=torch.float32)
        acc6 = hl.zeros([tile_m], dtype=torch.float32)
        acc7 = hl.zeros([tile_m], dtype=torch.float32)
        acc8 = hl.zeros([tile_m], dtype=torch.float32)
        acc9 = hl.zeros([tile_m], dtype=torch.float32)
        acc10 = hl.zeros([tile_m], dtype=torch.float32)
        acc11 = hl.zeros([tile_m], dtype=torch.float32)
        acc12 = hl.zeros([tile_m], dtype=torch.float32)
        acc13 = hl.zeros([tile_m], dtype=torch.float32)
        acc14 = hl.zeros([tile_m], dtype=torch.float32)
        acc15 = hl.zeros([tile_m], dtype=torch.float32)
        acc16 = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(x.size(1)):
            v = x[tile_m, tile_n]
            acc0 = acc0 + (v * 1).sum(-1)
            acc1 = acc1 + (v * 2).sum(-1)
            acc2 = acc2 + (v * 3).sum(-1)
            acc3 = acc3 + (v * 4).sum(-1)
            acc4 = acc4 + (v * 5).sum(-1)
            acc5 = acc5 + (v * 6).sum(-1)
            acc6 = acc6 + (v * 7).sum(-1)
            acc7 = acc7 + (v * 8).sum(-1)
            acc8 = acc8 + (v * 9).sum(-1)
            acc9 = acc9 + (v * 10).sum(-1)
            acc10 = acc10 + (v * 11).sum(-1)
            acc11 = acc11 + (v * 12).sum(-1)
            acc12 = acc12 + (v * 13).sum(-1)
            acc13 = acc13 + (v * 14).sum(-1)
            acc14 = acc14 + (v * 15).sum(-1)
            acc15 = acc15 + (v * 16).sum(-1)
            acc16 = acc16 + (v * 17).sum(-1)
        out[tile_m, 0] = acc0
        out[tile_m, 1] = acc1
        out[tile_m, 2] = acc2
        out[tile_m, 3] = acc3
        out[tile_m, 4] = acc4
        out[tile_m, 5] = acc5
        out[tile_m, 6] = acc6
        out[tile_m, 7] = acc7
        out[tile_m, 8] = acc8
        out[tile_m, 9] = acc9
        out[tile_m, 10] = acc10
        out[tile_m, 11] = acc11
        out[tile_m, 12] = acc12
        out[tile_m, 13] = acc13
        out[tile_m, 14] = acc14
        out[tile_m, 15] = acc15
        out[tile_m, 16] = acc16
    return out


def test_seventeen_loop_carried_accumulators():
    x = torch.randn(20, 70)
    out = helion_mlir.run(weighted_row_sums, [x], config=helion.Config(block_sizes=[8, 16]))
    expected = x.sum(-1, keepdim=True) * torch.arange(1, 18, dtype=x.dtype)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-4)
