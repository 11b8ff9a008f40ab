"""scripts/helion_suite's classification of Helion's examples: what does not bind on a CPU, and a
failed check whose torch reference is further from float64 than our kernel is."""

from __future__ import annotations

import functools
import tempfile

import pytest
import torch

from helion_suite.accuracy import Tolerance, measure, tolerance_of
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


def _running_sum(x, w):
    """w times the sum of x's rows, added one row at a time in x's dtype: in float16 every step rounds
    (a torch reference less accurate than a kernel that sums in float32); exact in float64."""
    total = w * x[0]
    for row in x[1:]:
        total = total + w * row
    return total


def _wide_sum(x, w):
    return (x.double().sum(0) * w.double()).to(x.dtype)


def _inputs(requires_grad=False):
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(4096, 4, generator=g) + 0.5).half().requires_grad_(requires_grad)
    w = (torch.rand(4, generator=g) + 0.5).half().requires_grad_(requires_grad)
    return x, w


def test_a_reference_further_from_float64_than_the_kernel_is_named():
    found = measure(_wide_sum, _running_sum, _inputs(), Tolerance(rtol=1e-2, atol=1e-1))
    assert found.reference_less_accurate
    assert found.words.startswith("against float64 on the same inputs (float16")
    assert "output 0 [4]: torch off by up to" in found.words and "ours off by up to" in found.words
    assert ", 0 of 4 elements outside" in found.words.split("ours")[1]


def test_a_kernel_outside_the_tolerance_of_float64_stays_a_failure_with_its_measurement():
    def off(x, w):
        return _wide_sum(x, w) * 1.1

    found = measure(off, _running_sum, _inputs(), Tolerance(rtol=1e-2, atol=1e-1))
    assert not found.reference_less_accurate
    assert "4 of 4 elements outside" in found.words.split("ours")[1]


def test_a_reference_as_accurate_as_the_kernel_is_not_less_accurate():
    found = measure(_wide_sum, _wide_sum, _inputs(), Tolerance(rtol=1e-2, atol=1e-1))
    assert not found.reference_less_accurate and "output 0 [4]" in found.words


def test_a_reference_that_fixes_its_own_dtype_cannot_be_measured():
    def half_reference(x, w):
        return _running_sum(x.half(), w.half())

    assert measure(_wide_sum, half_reference, _inputs(), Tolerance(rtol=1e-2, atol=1e-1)) is None


def test_a_reference_mixing_float64_with_a_narrower_dtype_computes_in_float64():
    """bf16xint16_gemm's reference casts its int16 operand to bfloat16 itself, and matmul takes no
    float64 x bfloat16: in float64 it computes x @ w.to(bfloat16) in float64, the cast still rounding."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 32, generator=g).to(torch.bfloat16)
    w = torch.randint(-(2**15), 2**15 - 1, (32, 16), generator=g, dtype=torch.int16)

    def reference(x, w):
        return torch.matmul(x, w.to(torch.bfloat16))

    def exact_rounded(x, w):
        return (x.double() @ w.to(torch.bfloat16).double()).to(torch.bfloat16)

    found = measure(exact_rounded, reference, (x, w), Tolerance(rtol=1e-2, atol=1e-2))
    assert found is not None and "output 0 [64, 16]" in found.words
    assert ", 0 of 1024 elements outside" in found.words.split("ours")[1]


def test_gradients_are_measured_too():
    class WideSum(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return _wide_sum(x, w)

        @staticmethod
        def backward(ctx, grad):
            x, w = ctx.saved_tensors
            return ((grad.double() * w.double()).expand(x.shape).to(x.dtype),
                    (grad.double() * x.double().sum(0)).to(w.dtype))

    tol = Tolerance(rtol=1e-2, atol=1e-1, backward=True)
    found = measure(WideSum.apply, _running_sum, _inputs(requires_grad=True), tol)
    assert found.reference_less_accurate and "gradient 1 [4]: torch off by up to" in found.words
    assert not measure(_running_sum, _running_sum, _inputs(requires_grad=True), tol).reference_less_accurate
    l2 = measure(WideSum.apply, _running_sum, _inputs(requires_grad=True),
                 Tolerance(rtol=1e-2, atol=1e-1, backward=True, relative_l2=1e-2))
    assert "gradient 1 [4]: torch relative L2 error" in l2.words


def test_the_tolerance_is_the_one_run_example_checks_with():
    from helion._testing import run_example

    tol = tolerance_of(run_example, _wide_sum, _running_sum, (), rtol=0.05, bwd=True)
    assert (tol.rtol, tol.atol, tol.mismatch, tol.backward, tol.relative_l2) == (0.05, 1e-1, 0.0, True, None)
    tol = tolerance_of(run_example, _wide_sum, _running_sum, (), "k", "t", 1e-3, 1e-4, 0.01)
    assert (tol.rtol, tol.atol, tol.mismatch, tol.backward) == (1e-3, 1e-4, 0.01, False)


def test_an_example_killed_for_memory_outside_our_kernels_is_too_large(monkeypatch):
    import helion_suite.__main__ as suite

    monkeypatch.setattr(suite, "_memory_gib", lambda: 24.0)
    state = {"resident_gib": 22.2, "where": "_clone_args (helion/autotuner/benchmark_provider.py:365)",
             "from": "cross_entropy.py:97", "in_kernel": False, "kernel_seconds": 3.0, "other_seconds": 40.0, "at": 0.0}
    assert suite._too_large(state).startswith("its GPU-sized inputs and torch's own computations on them need more "
                                              "than the machine's 24 GiB")
    assert suite._too_large({**state, "in_kernel": True}) is None  # ours: a failure
    assert suite._too_large({**state, "resident_gib": 9.0}) is None  # others held the memory: no evidence
    assert suite._too_large(None) is None


def test_a_sample_names_the_innermost_frame_and_the_examples_line(tmp_path):
    from helion_suite.watch import sample

    examples = tmp_path / "examples"
    examples.mkdir()
    code = "import sys\ndef main(probe):\n    return probe(sys._getframe())\n"
    scope = {}
    exec(compile(code, str(examples / "probe.py"), "exec"), scope)
    state = scope["main"](lambda frame: sample(frame, str(examples)))
    assert (state["where"], state["from"], state["in_kernel"]) == ("main (probe.py:3)", "probe.py:3", False)
    assert state["resident_gib"] > 0
    # the same probe called from a frame of helion_mlir's: a kernel of ours is running
    exec(compile("def launch(main, probe):\n    return main(probe)\n", f"{_OURS[0]}/_launch.py", "exec"), scope)
    state = scope["launch"](scope["main"], lambda frame: sample(frame, str(examples)))
    assert state["in_kernel"] and state["from"] == "probe.py:3"


def test_an_example_that_times_out_in_torchs_own_work_is_too_large():
    import helion_suite.__main__ as suite

    state = {"resident_gib": 3.9, "where": "forward (torch/nn/modules/linear.py:134)", "from": "geglu.py:249",
             "in_kernel": False, "kernel_seconds": 30.0, "other_seconds": 205.0}
    assert suite._too_slow(state, 240).startswith("its GPU-sized shapes are too large for this CPU: torch's own "
                                                  "computations on them and the example's own code took 205 of the 240 s")
    assert suite._too_slow({**state, "in_kernel": True}, 240) is None  # stopped in ours
    assert suite._too_slow({**state, "other_seconds": 100.0, "kernel_seconds": 135.0}, 240) is None  # ours took most
    assert suite._too_slow(None, 240) is None


def test_the_time_after_the_last_sample_goes_to_what_ran_then(tmp_path):
    import json as json_

    from helion_suite.watch import read

    path = tmp_path / "where.json"
    path.write_text(json_.dumps({"resident_gib": 1.0, "where": "randn", "from": "x.py:3", "in_kernel": False,
                                 "kernel_seconds": 2.0, "other_seconds": 5.0, "at": 1000.0}))
    state = read(path, 1100.0)  # one call that held the GIL for the last 100 s
    assert (state["kernel_seconds"], state["other_seconds"]) == (2.0, 105.0)
    assert read(tmp_path / "missing.json", 1100.0) is None
