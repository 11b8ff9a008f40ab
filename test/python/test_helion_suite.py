"""scripts/helion_suite's classification of Helion's examples: what does not bind on a CPU."""

from __future__ import annotations

import tempfile

import pytest

import functools

from helion_suite.example import _OURS, not_on_cpu, other_backend


_FILES = tempfile.TemporaryDirectory()  # removed when the tests end


def _raised(code: str, filename: str | None = None) -> BaseException:
    if filename is None:  # a real file, so that tracebacks show its lines
        with tempfile.NamedTemporaryFile("w", suffix=".py", dir=_FILES.name, delete=False) as f:
            f.write(code + "\n")
        filename = f.name
    try:
        exec(compile(code, filename, "exec"), {})
    except Exception as e:
        return e
    raise AssertionError("nothing raised")


@pytest.mark.parametrize("code, reason", [
    ("raise ModuleNotFoundError(\"No module named 'triton'\", name='triton')", "it imports Triton"),
    ("raise ModuleNotFoundError(\"No module named 'triton.testing'\", name='triton.testing')", "it imports Triton"),
    ("raise AssertionError('Torch not compiled with CUDA enabled')", "it puts its tensors on CUDA itself"),
])
def test_what_the_example_itself_needs_does_not_bind(code, reason):
    assert not_on_cpu(_raised(code)) == reason


@pytest.mark.parametrize("code", [
    "raise ModuleNotFoundError(\"No module named 'fla'\", name='fla')",
    "raise AssertionError('Tensor-likes are not close!')",
    "raise ValueError('Torch not compiled with CUDA enabled')",
])
def test_other_errors_are_failures(code):
    assert not_on_cpu(_raised(code)) is None


def test_an_error_raised_in_our_packages_is_a_failure():
    e = _raised("raise ModuleNotFoundError(\"No module named 'triton'\", name='triton')", f"{_OURS[0]}/_runtime.py")
    assert not_on_cpu(e) is None


def test_torch_refusing_block_scales_on_the_cpu_does_not_bind():
    # torch._scaled_mm is C: the traceback's last line is the example's call of it
    call = "raise ValueError('Invalid scaling configuration.')  # torch._scaled_mm(a, b, scale_a, scale_b)"
    assert not_on_cpu(_raised(call)) == "its reference calls torch._scaled_mm with block scales, which torch's CPU kernel refuses"
    assert not_on_cpu(_raised("raise ValueError('Invalid scaling configuration.')  # elsewhere")) is None


def test_a_kernel_the_example_runs_on_another_backend_does_not_bind():
    def gemv(x, backend="mlir"):
        return x

    assert other_backend(functools.partial(gemv, backend="triton")).startswith("it runs the kernel on Helion's triton")
    assert other_backend(functools.partial(gemv, backend="mlir")) is None
    assert other_backend(gemv) is None
