"""helion_mlir.run checks every extent the device code indexes a tensor with before it launches:
a tensor smaller than the tiles that index it is a LaunchError naming it and the dimension, not a
read past its end (a 2 x 50M input with a 3-element bias read far outside the bias and crashed)."""

import pytest
import torch

import helion
import helion.language as hl
import helion_mlir
from kernels.bias import add_bias_kernel


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


@helion.kernel(static_shapes=True)
def shift_from_4(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for tile in hl.tile(4, x.size(0)):
        out[tile] = y[tile] + 1
    return out


def test_a_grid_from_its_begin_reaches_its_end():
    """hl.tile(4, n) spans [4, n): a y of 62 elements, more than the block's size (60) but short of n, is
    refused."""
    x = torch.randn(64)
    with pytest.raises(helion_mlir.LaunchError, match=r"tensor 'y': dimension 0 has size 62, but the kernel "
                                                      r"indexes it with tiles spanning 64"):
        helion_mlir.run(shift_from_4, [x, torch.randn(62)], config=helion.Config(block_sizes=[16]))
    out = helion_mlir.run(shift_from_4, [x, x.clone()], config=helion.Config(block_sizes=[16]))
    torch.testing.assert_close(out, torch.cat([torch.zeros(4), x[4:] + 1]))


def add_between_kernel(backend: str | None = None):
    @helion.kernel(static_shapes=True, config=helion.Config(block_sizes=[8]),
                   **({"backend": backend} if backend else {}))
    def add_between(x: torch.Tensor, begin: int, end: int) -> torch.Tensor:
        out = torch.zeros_like(x)
        for tile in hl.tile(begin, end):
            out[tile] = x[tile] + 1
        return out

    return add_between


def test_a_grid_to_an_int_argument_past_the_tensor_is_refused():
    """The grid's end is an int argument: checked at each call (helion_mlir.run and the backend's
    launcher), not a read past the tensor."""
    x = torch.randn(30)
    kernel, backend = add_between_kernel(), add_between_kernel("mlir")
    torch.testing.assert_close(helion_mlir.run(kernel, [x, 4, 30]), torch.cat([torch.zeros(4), x[4:] + 1]))
    with pytest.raises(helion_mlir.LaunchError, match=r"tensor '(x|out)': dimension 0 has size 30, but the "
                                                      r"kernel indexes it with tiles spanning 45"):
        helion_mlir.run(kernel, [x, 4, 45])
    torch.testing.assert_close(backend(x, 4, 30), torch.cat([torch.zeros(4), x[4:] + 1]))
    with pytest.raises(helion_mlir.LaunchError, match=r"dimension 0 has size 30, but .* spanning 45"):
        backend(x, 4, 45)


def copy_into_half_kernel(backend: str | None = None):
    @helion.kernel(static_shapes=True, config=helion.Config(block_sizes=[16]),
                   **({"backend": backend} if backend else {}))
    def copy_into_half(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty(x.size(0) // 2, dtype=x.dtype, device=x.device)
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile]
        return out

    return copy_into_half


def test_a_host_allocated_tensor_shorter_than_its_tiles_is_refused():
    """The host code allocates out half as long as the tiles that store into it: refused before the
    launch (helion_mlir.run and the backend's launcher), not written past its end."""
    x = torch.randn(100)
    for kernel in (lambda: helion_mlir.run(copy_into_half_kernel(), [x]), lambda: copy_into_half_kernel("mlir")(x)):
        with pytest.raises(helion_mlir.LaunchError, match=r"tensor 'out'( \(device argument 1\))?: dimension 0 has "
                                                          r"size 50, but the kernel indexes it with tiles spanning 100"):
            kernel()


@helion.kernel(static_shapes=True)
def shift_columns_from_4(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for tile_m in hl.tile(x.size(0)):
        for tile_n in hl.tile(4, x.size(1)):
            out[tile_m, tile_n] = y[tile_m, tile_n] + 1
    return out


def test_a_loop_from_its_begin_reaches_its_end():
    """An inner hl.tile(4, n) spans [4, n), though its block's size is n - 4: a y of n - 2 columns is
    refused."""
    x, config = torch.randn(8, 64), helion.Config(block_sizes=[8, 16])
    with pytest.raises(helion_mlir.LaunchError, match=r"tensor 'y': dimension 1 has size 62, but the kernel "
                                                      r"indexes it with tiles spanning 64"):
        helion_mlir.run(shift_columns_from_4, [x, torch.randn(8, 62)], config=config)
    out = helion_mlir.run(shift_columns_from_4, [x, x.clone()], config=config)
    torch.testing.assert_close(out, torch.cat([torch.zeros(8, 4), x[:, 4:] + 1], dim=1))


def rows_past_kernel(static_shapes: bool):
    @helion.kernel(static_shapes=static_shapes)
    def rows_past(x: torch.Tensor, y: torch.Tensor, short: torch.Tensor) -> torch.Tensor:
        out = torch.zeros_like(x)
        for i in hl.grid(x.size(0)):
            out[i, :] = y[i, :] + 1
            short[i, :] = x[i, :]
        return out

    return rows_past


@pytest.mark.parametrize("static_shapes", [True, False])
def test_a_grid_index_past_a_shorter_tensor_is_guarded(static_shapes):
    """hl.grid over x's rows indexing y and short, which have fewer: no launch error (Triton masks such
    accesses); the rows past y's read zeros, the rows past short's are not written."""
    x, y, short = torch.randn(9, 5), torch.randn(4, 5), torch.full((6, 5), -3.0)
    out = helion_mlir.run(rows_past_kernel(static_shapes), [x, y, short])
    torch.testing.assert_close(out, torch.cat([y + 1, torch.ones(5, 5)]))
    torch.testing.assert_close(short, x[:6])
