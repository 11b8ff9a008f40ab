"""Configs and shapes the config sweep found wrong or refused with internal messages (issue 16): each
now matches PyTorch, or is refused with one line that says why."""

from __future__ import annotations

import pytest
import torch

import helion_mlir
from helion2json import CaptureError
from helion_mlir import HelionMlirError


def _run(load_kernel, entry, args, config=None):
    return helion_mlir.run(load_kernel(entry), args, config=config)


# ---- A looped reduction read by an if or a while: Helion refuses the config, and so do we ----


@pytest.mark.parametrize("entry, args", [
    ("examples/control_flow.py:copy_positive_rows", lambda: [torch.randn(4, 8), torch.full((4, 8), 7.0)]),
    ("examples/control_flow.py:sign_by_row_sum", lambda: [torch.randn(4, 8)]),
    ("examples/control_flow.py:halve_until_small", lambda: [torch.randn(4, 8) * 4]),
    ("examples/control_flow.py:shrink_rows", lambda: [torch.randn(4, 8) * 4]),
])
def test_looped_reduction_in_a_branch_is_refused(load_kernel, entry, args):
    with pytest.raises(HelionMlirError, match=r"control_flow\.py:\d+: .*NestedDeviceLoopsConflict"):
        _run(load_kernel, entry, args(), {"reduction_loops": [4]})


def test_the_same_kernel_runs_with_the_reduction_persistent(load_kernel):
    x, out = torch.randn(4, 8), torch.full((4, 8), 7.0)
    got = _run(load_kernel, "examples/control_flow.py:copy_positive_rows", [x, out.clone()],
               {"reduction_loops": [None]})
    torch.testing.assert_close(got, torch.where(x.sum(1, keepdim=True) > 0, x, out))


# ---- Rows of one element ----


def test_norms_of_width_one(load_kernel):
    x, w, b = torch.randn(5, 1), torch.randn(1), torch.randn(1)
    got = _run(load_kernel, "examples/reductions.py:layer_norm", [x, w, b])
    torch.testing.assert_close(got, torch.nn.functional.layer_norm(x, [1], w, b, eps=1e-5))
    got = _run(load_kernel, "examples/reductions.py:rms_norm", [x, w])
    torch.testing.assert_close(got, x * torch.rsqrt(x * x + 1e-6) * w)


def test_argmax_of_width_one(load_kernel):
    x = torch.randn(5, 1)
    assert torch.equal(_run(load_kernel, "examples/reductions.py:row_argmax", [x]), torch.zeros(5, dtype=torch.int64))
    assert torch.equal(_run(load_kernel, "examples/reductions.py:col_argmin", [x.t().contiguous()]),
                       torch.zeros(1, 5, dtype=torch.int64))


def _max_and_min(x):
    top, top_at = torch.max(x, dim=-1)
    low, low_at = torch.min(x, dim=-1)
    return torch.stack([top.float(), top_at.float(), low.float(), low_at.float()], dim=1)


@pytest.mark.parametrize("x, config", [
    (lambda: torch.randn(5, 1), None),
    (lambda: torch.randn(7, 20), {"block_sizes": [2], "reduction_loops": [8]}),
    (lambda: torch.randint(0, 4, (7, 37)).to(torch.bfloat16), {"block_sizes": [4], "reduction_loops": [16]}),
], ids=["width-1", "looped", "looped-ties-bf16"])
def test_max_and_min_over_a_dim(load_kernel, x, config):
    x = x()
    got = _run(load_kernel, "examples/reductions.py:row_max_and_min", [x], config)
    torch.testing.assert_close(got, _max_and_min(x))


def test_loops_over_one_element(load_kernel):
    """Helion specialises the tile of a loop over one element to the constant 1."""
    x = torch.randn(5, 1)
    got = _run(load_kernel, "examples/reductions.py:online_softmax", [x])
    torch.testing.assert_close(got, torch.ones(5, 1))
    x = torch.randn(5, 4)
    got = _run(load_kernel, "examples/control_flow.py:tail_sum", [x])
    torch.testing.assert_close(got, x[:, 3])


# ---- A slice past the end of a narrow tensor ----


@pytest.mark.parametrize("width, have", [(1, 0), (4, 2), (6, 4)])
def test_a_slice_stored_into_a_wider_target_is_refused(load_kernel, width, have):
    with pytest.raises(HelionMlirError, match=rf"gather\.py:\d+: the stored value has {have} elements along "
                                              r"dimension 1 where 'out\[\.\.\.\]' takes 5"):
        _run(load_kernel, "examples/gather.py:middle_columns", [torch.randn(5, width)])


def test_a_slice_that_fits_runs(load_kernel):
    x = torch.randn(5, 7)
    torch.testing.assert_close(_run(load_kernel, "examples/gather.py:middle_columns", [x]), x[:, 2:7] * 2.0)


def test_a_slice_of_one_column_broadcasts_as_torch_assigns_it(load_kernel):
    x = torch.randn(5, 3)
    torch.testing.assert_close(_run(load_kernel, "examples/gather.py:middle_columns", [x]),
                               (x[:, 2:3] * 2.0).expand(5, 5))


# ---- A tensor built in the kernel over a row's padded width ----


def test_an_arange_over_a_row_of_odd_width_spans_the_padded_tile(load_kernel):
    """torch.arange(n) beside x[tile, :] with n = 11: Helion gives both the row tile's width (16)."""
    x = torch.randn(9, 11)
    got = _run(load_kernel, "examples/tile_ops.py:ramp_rows", [x, 5], {"block_sizes": [2]})
    torch.testing.assert_close(got, x * torch.arange(5, 27, 2, dtype=torch.int32).float() + 0.5)


@pytest.mark.parametrize("width", [11, 16])
def test_an_arange_over_a_looped_reduction_is_refused(load_kernel, width):
    with pytest.raises(CaptureError, match=r"tile_ops\.py:\d+: a tensor of \d+ elements built in the kernel spans a "
                                              r"looped reduction's dimension .*reduction_loops None"):
        _run(load_kernel, "examples/tile_ops.py:ramp_rows", [torch.randn(9, width), 5],
             {"block_sizes": [2], "reduction_loops": [8]})


def test_a_strided_slice_inside_a_looped_reduction_is_refused(load_kernel):
    with pytest.raises(HelionMlirError, match=r"stores\.py:\d+: index 0: a strided slice inside a looped reduction "
                                              r".*reduction_loops None"):
        _run(load_kernel, "examples/stores.py:strided_copy", [torch.zeros(37), torch.randn(37)],
             {"reduction_loops": [16]})
