"""8-bit floats: conversions to and from float8_e4m3fn and float8_e5m2, and hl.dot on fp8 tiles.

torch has no arithmetic on fp8 tensors (`x * 2` is not implemented for them): a kernel converts them
to a wider type, or multiplies fp8 tiles with hl.dot, which accumulates in f32. torch's e4m3fn
conversion saturates (past 448, and from infinity, it gives 448 with the sign); e5m2's overflows to
infinity; both round to nearest even and keep NaN.
"""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def to_fp8(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    e4m3 = torch.empty(x.size(), dtype=torch.float8_e4m3fn, device=x.device)
    e5m2 = torch.empty(x.size(), dtype=torch.float8_e5m2, device=x.device)
    for tile in hl.tile(x.size()):
        e4m3[tile] = x[tile].to(torch.float8_e4m3fn)
        e5m2[tile] = x[tile].to(torch.float8_e5m2)
    return e4m3, e5m2


def to_fp8_reference(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return x.to(torch.float8_e4m3fn), x.to(torch.float8_e5m2)


@helion.kernel(static_shapes=True)
def from_fp8(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile].to(torch.float32)
    return out


def from_fp8_reference(x: torch.Tensor) -> torch.Tensor:
    return x.float()


@helion.kernel(static_shapes=True)
def fp8_dot(x: torch.Tensor, y: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """x (f32) rounded to y's fp8 format in the kernel, times y (fp8) with an f32 accumulator, each
    column scaled, in f16."""
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(x[tile_m, tile_k].to(y.dtype), y[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = (acc * scale[tile_n]).to(torch.float16)
    return out


def fp8_dot_reference(x: torch.Tensor, y: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return ((x.to(y.dtype).float() @ y.float()) * scale).half()


# Every fp8 value (NaNs included) as a 16x16 tensor of the format.
def all_codes(dtype: torch.dtype) -> torch.Tensor:
    return torch.arange(256, dtype=torch.int32).to(torch.uint8).view(dtype).reshape(16, 16)


# Magnitudes from below e5m2's smallest subnormal (2^-16) to past e5m2's largest finite value
# (57344), both signs: every rounding path of both formats, and both kinds of overflow.
def wide(m: int, n: int) -> torch.Tensor:
    return torch.randn(m, n) * 2.0 ** torch.randint(-24, 18, (m, n))

# The conversions are exact (compared as f64 with no tolerance); the products of fp8 values are exact
# in f32, and only the order of the f32 sums differs from torch's matmul.
CHECKS = [
    {"kernel": "to_fp8", "args": ["wide(37, 50)"], "ref": "to_fp8_reference"},
    {"kernel": "to_fp8", "args": ["wide(37, 50).double()"], "config": {"block_sizes": [16, 32]}, "ref": "to_fp8_reference"},
    {"kernel": "to_fp8", "args": ["(torch.randn(33, 40) * 100).bfloat16()"], "ref": "to_fp8_reference"},
    {"kernel": "from_fp8", "args": ["all_codes(torch.float8_e4m3fn)"], "ref": "from_fp8_reference"},
    {"kernel": "from_fp8", "args": ["all_codes(torch.float8_e5m2)"], "config": {"block_sizes": [8, 4]},
     "ref": "from_fp8_reference"},
    {"kernel": "fp8_dot", "args": ["torch.randn(40, 70)", "torch.randn(70, 30).to(torch.float8_e4m3fn)",
                                   "torch.rand(30) + 0.5"], "ref": "fp8_dot_reference", "rtol": 1e-3, "atol": 1e-3},
    {"kernel": "fp8_dot", "args": ["torch.randn(40, 70)", "torch.randn(70, 30).to(torch.float8_e5m2)",
                                   "torch.rand(30) + 0.5"], "config": {"block_sizes": [16, 16, 32]},
     "ref": "fp8_dot_reference", "rtol": 1e-3, "atol": 1e-3},
]
