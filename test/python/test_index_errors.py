"""Index forms the lowering does not support fail with one line naming the index, the kernel source
line and the node."""

import pytest
import torch

import helion
import helion.language as hl
import helion_mlir


@helion.kernel(static_shapes=True)
def every_other_column(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), 4], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = x[tile, 0:8:2]
    return out


@helion.kernel(static_shapes=True)
def float_positions(x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(positions)
    for tile in hl.tile(positions.size(0)):
        out[tile] = x[positions[tile]]
    return out


@pytest.mark.parametrize("kernel, args, message", [
    (float_positions, [torch.randn(50), torch.randn(20)],
     r"test_index_errors\.py:\d+: index 0: expected a tile, an integer or an integer index tensor \(node 'load_1'\)"),
])
def test_unsupported_index_is_one_line(kernel, args, message):
    with pytest.raises(helion_mlir.HelionMlirError, match=message) as e:
        helion_mlir.generate_mlir(kernel, args)
    assert "\n" not in str(e.value)


def test_a_strided_slice_reads_every_other_column():
    x = torch.randn(50, 9)
    torch.testing.assert_close(helion_mlir.run(every_other_column, [x]), x[:, 0:8:2])
