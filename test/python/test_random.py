"""Random numbers in device code under backend "mlir": hl.rand and torch.rand_like.

Helion decomposes both into Philox on int64 tensors in the Device IR: hl.rand on its seed argument,
torch.rand/rand_like on a seed Helion's host code draws from torch's CPU generator
(`_rng_seed_buffer`), one per call site. The lowered kernel therefore computes Helion's own numbers:
hl.rand equals Helion's Philox reference bit for bit, and torch.rand_like equals Helion's reference
mode (RefMode.EAGER, which draws its seeds from the same generator state) for a kernel with one
call site.
"""

from __future__ import annotations

import functools
import math

import pytest
import torch

import helion
from helion._compiler.rng_utils import philox_rand_ref
from helion.runtime.ref_mode import RefMode

from kernels import host_code as k

SHAPE = (50, 37)  # neither dimension a multiple of the tiles: edge tiles are padded
CONFIG = helion.Config(block_sizes=[16, 8])


@functools.cache
def _kernel():
    return helion.kernel(k.dropout_and_noise.fn, backend="mlir", autotune_effort="none", config=CONFIG)


def _run(x, p, seed):
    return _kernel()(x, p, seed)


def test_hl_rand_is_helions_philox_at_the_element_positions():
    x = torch.randn(SHAPE)
    kept, _ = _run(x, 0.3, 1234)
    uniform = philox_rand_ref(1234, torch.arange(x.numel()).view(SHAPE))
    torch.testing.assert_close(kept, torch.where(uniform > 0.3, x, 0.0), rtol=0, atol=0)


def test_hl_rand_follows_its_seed_argument():
    x = torch.ones(SHAPE)
    a, _ = _run(x, 0.5, 1)
    b, _ = _run(x, 0.5, 2)
    again, _ = _run(x, 0.5, 1)
    assert torch.equal(a, again) and not torch.equal(a, b)


def test_rand_like_matches_helions_reference_mode_and_advances_the_generator():
    def noise_only(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in helion.language.tile(x.size()):
            out[tile] = torch.rand_like(x[tile])
        return out

    x = torch.zeros(SHAPE)
    ours = helion.kernel(noise_only, backend="mlir", autotune_effort="none", config=CONFIG)
    reference = helion.kernel(noise_only, ref_mode=RefMode.EAGER, autotune_effort="none")
    torch.manual_seed(7)
    got = ours(x)
    after_ours = torch.rand(4)
    torch.manual_seed(7)
    expected = reference(x)
    after_reference = torch.rand(4)
    torch.testing.assert_close(got, expected, rtol=0, atol=0)
    assert torch.equal(after_ours, after_reference)
    assert not torch.equal(ours(x), got)  # each call draws a new seed


def test_rand_like_is_reproducible_and_uniform():
    x = torch.zeros(SHAPE)
    torch.manual_seed(3)
    _, a = _run(x, 0.5, 0)
    torch.manual_seed(3)
    _, b = _run(x, 0.5, 0)
    assert torch.equal(a, b)
    n = a.numel()
    assert a.min() >= 0 and a.max() < 1
    # mean and variance of U(0, 1) within 5 standard errors; every tenth of [0, 1) holds its share
    assert abs(a.mean().item() - 0.5) < 5 * math.sqrt(1 / 12 / n)
    assert abs(a.var().item() - 1 / 12) < 5 * math.sqrt(1 / 180 / n)
    counts = torch.histc(a, bins=10, min=0, max=1)
    expected = n / 10
    chi2 = ((counts - expected) ** 2 / expected).sum().item()
    assert chi2 < 30  # 9 degrees of freedom: p < 0.001 above 27.9


def test_dropout_keeps_the_expected_share():
    x = torch.ones(SHAPE)
    for p in (0.1, 0.5, 0.9):
        kept, _ = _run(x, p, 99)
        share = kept.mean().item()
        n = x.numel()
        assert abs(share - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n), (p, share)


def test_helion_mlir_run_refuses_rand_like_with_one_line():
    from helion_mlir import run
    from helion2json.errors import CaptureError

    with pytest.raises(CaptureError, match=r"torch.rand in device code reads seeds that Helion's host code draws"):
        run(k.dropout_and_noise, (torch.zeros(SHAPE), 0.5, 1))
