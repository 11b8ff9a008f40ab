"""Scalar kernel arguments are function arguments of the lowered module: one compiled kernel runs
with any value, and the runner checks them against the signature."""

from __future__ import annotations

import pytest
import torch

from helion2json import export_kernel
from helion2json.cli import load_entry
from helion_mlir import generate_mlir
from helion_mlir.kernel import compile_spec
from examples_suite.cases import REPO

ENTRY = str(REPO / "examples" / "pointwise.py") + ":axpby"


@pytest.fixture(scope="module")
def axpby():
    kernel, namespace = load_entry(ENTRY)
    return kernel, namespace["axpby_reference"]


def test_scalars_follow_the_host_tensors(axpby):
    kernel, _ = axpby
    text = generate_mlir(kernel, (torch.randn(8, 5), torch.randn(8, 5), 0.5, 2.0, 3))
    assert "memref<8x5xf32>, %arg3: f64, %arg4: f64, %arg5: i64)" in text


def test_one_module_serves_every_value(axpby):
    kernel, reference = axpby
    x, y = torch.randn(40, 9), torch.randn(40, 9)
    compiled = compile_spec(export_kernel(kernel, (x, y, 0.5, 2.0, 3)))
    for alpha, beta, shift in [(0.5, 2.0, 3), (-1.5, 0.0, -7), (1e3, 1e-3, 0)]:
        out = torch.empty_like(x)
        compiled(x, y, out, alpha, beta, shift)
        torch.testing.assert_close(out, reference(x, y, alpha, beta, shift))


def test_a_scalar_of_the_wrong_type_is_refused(axpby):
    kernel, _ = axpby
    x, y = torch.randn(8, 5), torch.randn(8, 5)
    compiled = compile_spec(export_kernel(kernel, (x, y, 0.5, 2.0, 3)))
    with pytest.raises(ValueError, match="argument 5 \\(i64\\): got a float64 tensor, the kernel takes int64"):
        compiled(x, y, torch.empty_like(x), 0.5, 2.0, 3.0)
