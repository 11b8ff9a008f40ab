"""Means and variances over dimensions that are no reduction blocks but tiles of the grid: Helion's
decomposition splits them into `_inductor_lowering_extra` buffers as it does for reduction blocks, and
divides by the tile's size (its symbol). The result depends on the tile size, so the reference takes
it too (this kernel is not among examples/, whose config sweep varies tiles against tile-blind
references)."""

import pytest
import torch

import helion
import helion.language as hl
import helion_mlir


@helion.kernel(static_shapes=True)
def center_tiles(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each tile of x centred on its mean; each tile of y scaled by its variance over the tile's rows."""
    out = torch.empty_like(x)
    scaled = torch.empty_like(y)
    for tile in hl.tile(x.size(0)):
        v = x[tile].to(torch.float32)
        out[tile] = v - torch.mean(v, dim=-1, keepdim=True)
    for tile_m, tile_n in hl.tile(y.size()):
        w = y[tile_m, tile_n].to(torch.float32)
        var, mean = torch.var_mean(w, dim=0, keepdim=True, correction=0)
        scaled[tile_m, tile_n] = (w - mean) * var
    return out, scaled


def reference(x: torch.Tensor, y: torch.Tensor, tile_x: int, tile_m: int):
    v = x.float().view(-1, tile_x)
    w = y.float().view(-1, tile_m, y.size(1))
    var, mean = torch.var_mean(w, dim=1, keepdim=True, correction=0)
    return (v - v.mean(-1, keepdim=True)).view(-1).to(x.dtype), ((w - mean) * var).view(y.shape).to(y.dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("tiles", [(32, 8, 16), (16, 4, 32)])
def test_statistics_over_grid_tiles(tiles, dtype):
    torch.manual_seed(0)
    x, y = torch.randn(128, dtype=dtype), torch.randn(24, 40, dtype=dtype)
    got = helion_mlir.run(center_tiles, (x, y), config=helion.Config(block_sizes=list(tiles)))
    for g, want in zip(got, reference(x, y, tiles[0], tiles[1]), strict=True):
        torch.testing.assert_close(g, want, rtol=1e-5 if dtype == torch.float32 else 1e-2, atol=1e-5 if dtype == torch.float32 else 1e-2)
