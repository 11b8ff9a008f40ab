"""helion_mlir.run checks every extent the device code indexes a tensor with before it launches:
a tensor smaller than the tiles that index it is a LaunchError naming it and the dimension, not a
read past its end (a 2 x 50M input with a 3-element bias read far outside the bias and crashed)."""

import pytest
import torch

import helion
import helion.language as hl
import helion_mlir


def add_bias_kernel(static_shapes: bool):
    @helion.kernel(static_shapes=static_shapes)
    def add_bias(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile_m, tile_n in hl.tile(x.size()):
            out[tile_m, tile_n] = x[tile_m, tile_n] + bias[tile_n]
        return out

    return add_bias


CONFIG = helion.Config(block_sizes=[1, 64])


@pytest.mark.parametrize("static_shapes", [True, False])
def test_a_matching_bias_runs(static_shapes):
    x, bias = torch.randn(2, 300), torch.randn(300)
    out = helion_mlir.run(add_bias_kernel(static_shapes), [x, bias], config=CONFIG)
    torch.testing.assert_close(out, x + bias)


@pytest.mark.parametrize("static_shapes", [True, False])
def test_a_short_bias_is_refused(static_shapes):
    kernel = add_bias_kernel(static_shapes)
    x, bias = torch.randn(2, 5000), torch.randn(3)
    with pytest.raises(helion_mlir.LaunchError,
                       match=r"add_bias: tensor 'bias': dimension 0 has size 3, but the kernel indexes it "
                             r"with tiles spanning 5000") as e:
        helion_mlir.run(kernel, [x, bias], config=CONFIG)
    assert "\n" not in str(e.value)


def test_a_short_bias_after_a_good_call_is_refused():
    """static_shapes=False: one module for many sizes, so each call's sizes are checked again."""
    kernel = add_bias_kernel(False)
    helion_mlir.run(kernel, [torch.randn(2, 300), torch.randn(300)], config=CONFIG)
    with pytest.raises(helion_mlir.LaunchError, match=r"dimension 0 has size 3, but .* spanning 700"):
        helion_mlir.run(kernel, [torch.randn(2, 700), torch.randn(3)], config=CONFIG)
