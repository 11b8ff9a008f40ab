"""2-D matmul: a tile grid over the output, an inner loop over K accumulating with addmm in f32."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    k2, n = y.size()
    assert k == k2, f"size mismatch {k} != {k2}"
    out = torch.empty([m, n], dtype=torch.promote_types(x.dtype, y.dtype), device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


def reference(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (x.float() @ y.float()).to(torch.promote_types(x.dtype, y.dtype))


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py). Helion's interpreter has no CPU kernel for addmm's rewrite, so the
# reference is the torch function above.
CHECKS = [
    {"kernel": "matmul", "args": ["torch.randn(100, 70)", "torch.randn(70, 50)"], "ref": "reference",
     "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "matmul", "args": ["torch.randn(100, 70)", "torch.randn(70, 50)"], "ref": "reference",
     "config": {"block_sizes": [32, 32, 16]}, "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "matmul", "args": ["torch.randn(65, 47, dtype=torch.float16)", "torch.randn(47, 33, dtype=torch.float16)"],
     "ref": "reference", "rtol": 1e-2, "atol": 1e-2},
]
