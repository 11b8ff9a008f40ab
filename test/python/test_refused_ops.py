"""Ops the lowering refuses fail with one line naming the op, the kernel source line and the node."""

import pytest
import torch

import helion
import helion.language as hl
import helion_mlir


@helion.kernel(static_shapes=True)
def halves_as_floats(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile].view(torch.float32).sum()
    return out


def test_a_view_as_a_dtype_of_another_width_is_one_line():
    message = (r"test_refused_ops\.py:\d+: 'aten\.view\.dtype' reinterprets only between dtypes of the same "
               r"width \(not bool\) \(node 'view'\)")
    with pytest.raises(helion_mlir.HelionMlirError, match=message) as e:
        helion_mlir.generate_mlir(halves_as_floats, [torch.randn(32, dtype=torch.float16)])
    assert "\n" not in str(e.value)
