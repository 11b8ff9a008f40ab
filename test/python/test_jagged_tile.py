"""hl.jagged_tile: the capture carries the jagged block's parent tiles (`jagged_parents`, version 2 of
the interchange), and the lowering masks each row's accesses by its end, under the backend too; the
rows' sums match torch's on rows that are empty, shorter and longer than a tile."""

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


def _reference(x: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    return torch.stack([x[offsets[i]:offsets[i + 1]].sum() for i in range(offsets.numel() - 1)])


def test_capture_carries_the_parent_tiles():
    spec = helion2json.export_kernel(jagged_row_sums, ARGS)
    assert spec["version"] == 2
    jagged = [bs for bs in spec["block_sizes"] if "jagged_parents" in bs]
    assert [(bs["debug_names"], bs["jagged_parents"]) for bs in jagged] == [(["tile_k"], [0])]


def test_a_kernel_without_jagged_tiles_stays_version_1():
    @helion.kernel(static_shapes=True, autotune_effort="none")
    def double(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile] * 2
        return out

    assert helion2json.export_kernel(double, (torch.randn(10),))["version"] == 1


@pytest.mark.parametrize("block_sizes", [[2, 4], [4, 8], [8, 2]])
def test_backend_masks_each_row(block_sizes):
    x, offsets = torch.randn(45), torch.tensor([0, 5, 5, 17, 30, 31, 45])
    kernel = helion.kernel(jagged_row_sums.fn, static_shapes=True, backend="mlir",
                           config=helion.Config(block_sizes=block_sizes))
    torch.testing.assert_close(kernel(x, offsets), _reference(x, offsets), rtol=1e-5, atol=1e-5)


@helion.kernel(static_shapes=True, backend="mlir", autotune_effort="none")
def jagged_atomic_add(x: torch.Tensor, lengths: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile_b in hl.tile(x.size(0)):
        ends = lengths[tile_b]
        for tile_k in hl.jagged_tile(ends):
            hl.atomic_add(out, [tile_b, tile_k], x[tile_b, tile_k])
    return out


def test_atomics_over_a_jagged_tile_are_refused():
    """Helion masks an atomic's lanes past each row's end too; the atomics' loops do not, so they are
    refused in one line rather than run unmasked."""
    args = (torch.randn(5, 9), torch.tensor([1, 9, 0, 4, 3]), torch.zeros(5, 9))
    with pytest.raises(helion_mlir.HelionMlirError, match=r"atomic_add' over an hl\.jagged_tile is not supported"):
        jagged_atomic_add(*args)


@helion.kernel(static_shapes=True, backend="mlir", autotune_effort="none")
def packed_scale(x: torch.Tensor, offsets: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Packed rows scaled by their row's factor into an allocation the host code sizes from a value in
    memory, which Helion's binding sizes from its hint for unbacked values instead."""
    out = torch.zeros(int(offsets[-1].item()), dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(offsets.size(0) - 1):
        starts = offsets[tile_b]
        lengths = offsets[tile_b.index + 1] - starts
        s = scale[tile_b]
        for tile_k in hl.jagged_tile(lengths):
            at = starts[:, None] + tile_k.index[None, :]
            hl.store(out, [at], hl.load(x, [at]) * s[:, None])
    return out


def test_an_allocation_sized_from_memory_is_read_at_run_time():
    """Only scattered into, `out` is a size the module reads off its memref: one module serves every
    total, where a module compiled for Helion's hint would fit no launch."""
    for lengths in ([3, 0, 9, 4], [1, 17, 2, 5]):
        offsets = torch.cat([torch.zeros(1, dtype=torch.long), torch.tensor(lengths).cumsum(0)])
        x, scale = torch.randn(40), torch.randn(4)
        rows = torch.repeat_interleave(scale, torch.tensor(lengths))
        torch.testing.assert_close(packed_scale(x, offsets, scale), x[:offsets[-1]] * rows)
