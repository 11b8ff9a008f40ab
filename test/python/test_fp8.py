"""fp8 on the CPU, bit for bit against torch: every float8_e4m3fn and float8_e5m2 value widened to
f32, and f32 (f64, f16, bf16) values narrowed to both formats where the rounding decides (each
midpoint between two fp8 values and its neighbours), at the edges of the ranges (e4m3fn saturates,
e5m2 overflows to infinity), on subnormals, NaN and infinity, and on random bit patterns."""

import pytest
import torch

import helion_mlir

FORMATS = [torch.float8_e4m3fn, torch.float8_e5m2]


def _codes(dtype: torch.dtype) -> torch.Tensor:
    return torch.arange(256, dtype=torch.int32).to(torch.uint8).view(dtype)


def _hard_cases() -> torch.Tensor:
    """For both formats: their values, the midpoints between neighbours and one f32 ulp either side,
    the specials, and values past the ranges; both signs."""
    parts = [torch.tensor([0.0, float("inf"), float("nan"), 448.0, 464.0, 464.01, 479.9, 480.0, 1e4,
                           57344.0, 61440.0, 61439.99, 65536.0, 1e30, 3e38, 2.0**-10, 2.0**-17, 1e-45])]
    for dtype in FORMATS:
        finite = _codes(dtype).float()
        finite = finite[torch.isfinite(finite) & (finite >= 0)].unique()
        midpoints = ((finite[1:].double() + finite[:-1].double()) / 2).float()
        bits = midpoints.view(torch.int32)
        parts += [finite, midpoints, (bits + 1).view(torch.float32), (bits - 1).view(torch.float32)]
    values = torch.cat(parts)
    return torch.cat([values, -values])


def _random_bits(n: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return torch.randint(-2**31, 2**31, (n,), generator=g, dtype=torch.int64).to(torch.int32).view(torch.float32)


def _same_bits(got: torch.Tensor, want: torch.Tensor) -> None:
    assert got.dtype == want.dtype
    g, w = got.view(torch.uint8), want.view(torch.uint8)
    bad = (g != w).nonzero().flatten()
    assert len(bad) == 0, f"{len(bad)} differ, first at {bad[0].item()}: {g[bad[0]].item():#x} vs {w[bad[0]].item():#x}"


@pytest.mark.parametrize("dtype", FORMATS, ids=["e4m3fn", "e5m2"])
def test_every_fp8_value_widens_as_torch_does(load_kernel, dtype):
    kernel = load_kernel("examples/fp8.py:from_fp8")
    codes = _codes(dtype).reshape(16, 16)
    got, want = helion_mlir.run(kernel, [codes]), codes.float()
    nan = want.isnan()
    assert torch.equal(got.isnan(), nan)
    assert torch.equal(got[~nan].view(torch.int32), want[~nan].view(torch.int32))  # -0.0 too
    if dtype == torch.float8_e4m3fn:  # its one NaN: torch's f32 bits, sign kept
        assert torch.equal(got[nan].view(torch.int32), want[nan].view(torch.int32))


def test_f32_narrows_to_both_formats_as_torch_does(load_kernel):
    kernel = load_kernel("examples/fp8.py:to_fp8")
    x = torch.cat([_hard_cases(), _random_bits(40000)])
    x = torch.cat([x, x.new_zeros(-len(x) % 64)]).reshape(-1, 64)
    e4m3, e5m2 = helion_mlir.run(kernel, [x], {"block_sizes": [16, 64]})
    _same_bits(e4m3, x.to(torch.float8_e4m3fn))
    _same_bits(e5m2, x.to(torch.float8_e5m2))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16], ids=["f64", "f16", "bf16"])
def test_other_floats_narrow_through_f32_as_torch_does(load_kernel, dtype):
    """torch narrows to fp8 through f32: f64 rounds twice, f16 and bf16 widen exactly first."""
    kernel = load_kernel("examples/fp8.py:to_fp8")
    torch.manual_seed(0)
    x = torch.cat([_hard_cases().double(), torch.randn(4000, dtype=torch.float64) * 2.0 ** torch.randint(-20, 18, (4000,))])
    x = x.to(dtype)
    x = torch.cat([x, x.new_zeros(-len(x) % 32)]).reshape(-1, 32)
    e4m3, e5m2 = helion_mlir.run(kernel, [x])
    _same_bits(e4m3, x.to(torch.float8_e4m3fn))
    _same_bits(e5m2, x.to(torch.float8_e5m2))


@pytest.mark.parametrize("dtype", FORMATS, ids=["e4m3fn", "e5m2"])
def test_fp8_dot_matches_torch(load_kernel, dtype):
    """x rounded to fp8 in the kernel, then hl.dot on fp8 tiles into an f32 accumulator: the products
    are exact in f32, so only the order of the sums differs from torch's."""
    kernel = load_kernel("examples/fp8.py:fp8_dot")
    reference = kernel.fn.__globals__["fp8_dot_reference"]
    torch.manual_seed(0)
    args = [torch.randn(45, 70), torch.randn(70, 33).to(dtype), torch.rand(33) + 0.5]
    torch.testing.assert_close(helion_mlir.run(kernel, args, {"block_sizes": [16, 16, 32]}), reference(*args),
                               rtol=1e-3, atol=1e-3)
