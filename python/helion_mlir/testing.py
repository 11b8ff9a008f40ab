"""pytest plugin: Helion's own test suite, run on the CPU against backend "mlir".

    pytest -p helion_mlir.testing [--helion-examples DIR] [--helion-report FILE] HELION/test/test_views.py

Helion's tests read their device, backend and examples from helion._testing when they are imported;
the plugin sets them first (it loads before any test module):

- HELION_BACKEND is "mlir" and `DEVICE` is the CPU (`torch.accelerator.synchronize()` waits for
  nothing there, and `skipIfLowVRAM` measures the host's free memory);
- a class or test restricted to backends that include "triton" runs for "mlir", as Helion's
  `matchesBackends` already lets such tests run for "tileir", the other backend that reuses Triton's
  host codegen;
- `EXAMPLES_DIR` is DIR (default: the `examples` folder next to the collected `test` folder), since
  an installed Helion has no examples;
- `assertExpectedJournal` compares generated Triton code with Helion's journals (`*.expected`), which
  is out of scope for another backend: it records the call instead of comparing. A test that passes
  having compared a journal and launched no kernel checked nothing of ours: it is reported skipped,
  with that reason.
- the tests in OUT_OF_SCOPE_TESTS check Triton's or CuTe's generated code or internals, not a kernel's
  numbers: each is skipped with its reason, prefixed "out of scope: " (scripts/helion-suite counts
  them apart from the real skips).
- the tests in REFERENCE_LESS_ACCURATE fail on their torch CPU reference's error, not ours: when one
  fails a closeness assertion, its report says so with the float64 measurement, prefixed "reference
  less accurate: " (scripts/helion-suite counts them apart from the other failures; any other failure
  of such a test stays an ordinary one).

`--helion-report FILE` writes one JSON object per test: its outcome, the first line of its failure or
the reason for its skip, whether it compared a journal, and how many device functions it launched
(between a "start" and an "end" line, so a run that dies names the test it died in).
`--helion-test-timeout S` ends the run when one test takes longer than S seconds, reporting that test
as failed: a CPU run of a GPU-sized test must not hold up the rest (scripts/helion-suite reruns the
file without it). A compiled kernel cannot be interrupted from Python, hence the exit.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

OUT_OF_SCOPE_PREFIX = "out of scope: "
OUT_OF_SCOPE = OUT_OF_SCOPE_PREFIX + "compares generated Triton code with Helion's journal and runs no kernel"

# Helion's tests that check Triton's or CuTe's generated code or internals and nothing of a kernel's
# numbers that we could make pass, keyed by file::class::test, with why each holds.
OUT_OF_SCOPE_TESTS = {
    "test_misc.py::TestMisc::test_fp32_fallback_is_scoped_to_helion_triton":
        "a unit test of Helion's own fp16-to-fp32 fallback in its inductor lowering for Triton "
        "(inductor_lowering_extra.create_fp16_to_fp32_unary_fallback_lowering, newer than the pinned "
        "Helion 1.5.1); it compiles and runs no kernel",
    "test_misc.py::TestHelionCutePrinter::test_compound_division_operands_are_parenthesized":
        "a unit test of Helion's CuTe expression printer (helion._compiler.cute.printer), which needs "
        "the CuTe DSL; it runs no kernel",
    "test_misc.py::TestLauncher::test_used_global_vals_mutation_raises":
        "asserts that Triton's JITFunction guard on used_global_vals raises: it imports triton and looks "
        "for a triton JITFunction in the generated module, which backend mlir's has none of; the kernel "
        "it runs first checks no numbers",
    "test_loops.py::TestLoops::test_range_num_stages_preserved_without_aliasing":
        "asserts that the config spec offers range_num_stages, Triton's software-pipelining hint, which "
        "backend mlir does not tune (Helion xfails it for Pallas and skips it for tileir for that "
        "reason); it runs no kernel",
    "test_indexing.py::TestIndexing::test_triton_do_not_specialize_emits_do_not_specialize":
        "asserts the @triton.jit(do_not_specialize=...) decorator in the generated Triton code; backend "
        "mlir's device function is no Triton JIT function (the add kernel it runs is covered by the "
        "other tests)",
    "test_misc.py::TestMisc::test_config_flatten_issue":
        "its tile.end kernel stores at index 64 of 64 x 64 and expects 12 ones: the 9 in bounds and 3 "
        "that Triton's unmasked pointer arithmetic writes into the next row (out[m, 64] is out[m + 1, "
        "0] in memory); torch has no such elements and Helion's reference mode skips the test. "
        "backend mlir skips out-of-bounds stores and counts 9; its tile.begin and tile.id kernels "
        "give the expected 16 and 16",
    "test_specialize.py::TestMarkStatic::test_mark_static":
        "asserts which sizes appear as literals in the generated code; backend mlir's module carries "
        "its interchange spec, whose size symbols record the example sizes (docs/interchange.md), so "
        "Triton's code-text test of specialization cannot hold (its numbers checks pass)",
}


REFERENCE_PREFIX = "reference less accurate: "

# Helion's tests whose torch reference on the CPU is further from float64 than our kernel is, so that
# the test fails on the reference's error: keyed by file::class::test, with the measurement of both
# against float64 on the test's own inputs (scripts/reference-accuracy prints it).
REFERENCE_LESS_ACCURATE = {
    "test_examples.py::TestExamples::test_layernorm_bwd_large_batch":
        "torch's float16 layer_norm backward on the CPU (batch 1152000, dim 16) is off by up to 279.6 in "
        "grad_weight and 221.4 in grad_bias against float64, 10 and 14 of their 16 elements outside the "
        "test's rtol 0.05 atol 0.03; ours by 0.5547 and 0.4183, none outside (grad_x: both inside, ours "
        "off by 0.0078, torch by 0.049)",
}


def reference_less_accurate(key: str, excinfo: pytest.ExceptionInfo | None) -> str | None:
    """The REFERENCE_LESS_ACCURATE reason when test `key` failed a closeness assertion, else None."""
    reason = REFERENCE_LESS_ACCURATE.get(key)
    if reason is None or excinfo is None or not excinfo.errisinstance(AssertionError):
        return None
    return reason if "not close" in str(excinfo.value) else None


class _Tally:
    """What the running test did: journal comparisons and device-function launches."""

    def __init__(self) -> None:
        self.journals = 0
        self.launches = 0


_tally = _Tally()
_report = None  # the --helion-report file
_timeout = None  # --helion-test-timeout


def _examples_dir(config: pytest.Config) -> Path | None:
    given = config.getoption("helion_examples")
    if given:
        return Path(given).resolve()
    for arg in config.args:
        for parent in Path(arg.split("::")[0]).resolve().parents:
            if parent.name == "test" and (parent.parent / "examples").is_dir():
                return parent.parent / "examples"
    return None


def configure(examples: Path | None) -> None:
    """Helion's testing module set up for backend "mlir" on the CPU (see the module doc)."""
    os.environ["HELION_BACKEND"] = "mlir"
    import torch

    import helion_mlir  # noqa: F401  (registers backend "mlir")
    import helion._testing as testing
    from helion_mlir import _runtime

    testing.DEVICE = torch.device("cpu")
    if not torch.accelerator.is_available():
        # Tests synchronize the device before they read results; each CPU launch has finished when
        # it returns, so there is nothing to wait for.
        torch.accelerator.synchronize = lambda device=None: None
    if examples is not None:
        testing.EXAMPLES_DIR = examples

    def skip_if_low_memory(reason: str = "Test requires high VRAM", *, required_bytes: int | None = None) -> Any:
        # Helion's skipIfLowVRAM measures a GPU; on the CPU the tensors live in host memory.
        need = int(30.0 * 1024**3) if required_bytes is None else required_bytes
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return pytest.mark.skipif(need > free, reason=f"{reason}: needs {need / 1024**3:.1f} GiB of memory, "
                                                        f"the CPU has {free / 1024**3:.1f} GiB free")

    testing.skipIfLowVRAM = skip_if_low_memory

    helion_matches = testing.matchesBackends

    def matches_backends(backends: Any) -> bool:
        return helion_matches(backends) or ("triton" in backends and testing._get_backend() == "mlir")

    testing.matchesBackends = matches_backends

    def journal(self: Any, value: str) -> None:
        _tally.journals += 1

    testing.TestCase.assertExpectedJournal = journal

    launch = _runtime.launch

    def counted_launch(*args: object, **kwargs: object) -> None:
        _tally.launches += 1
        launch(*args, **kwargs)

    _runtime.launch = counted_launch


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("helion_mlir")
    group.addoption("--helion-examples", default=None, help="Helion's examples/ folder (EXAMPLES_DIR)")
    group.addoption("--helion-report", default=None, help="write one JSON line per test to this file")
    group.addoption("--helion-test-timeout", type=float, default=None,
                    help="end the run when a test takes longer than this many seconds")


TIMED_OUT_EXIT = 3


def _test_key(item: pytest.Item) -> str:
    return "::".join([Path(str(item.path)).name, *item.nodeid.split("::")[1:]])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        reason = OUT_OF_SCOPE_TESTS.get(_test_key(item))
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=OUT_OF_SCOPE_PREFIX + reason))


def pytest_configure(config: pytest.Config) -> None:
    global _report, _timeout
    configure(_examples_dir(config))
    path = config.getoption("helion_report")
    _report = open(path, "a") if path else None  # noqa: SIM115 (closed at unconfigure)
    _timeout = config.getoption("helion_test_timeout")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _report is not None:
        _report.close()


def _write(entry: dict) -> None:
    if _report is not None:
        _report.write(json.dumps(entry) + "\n")
        _report.flush()


def _time_out(nodeid: str) -> None:
    _write({"nodeid": nodeid, "when": "call", "outcome": "failed", "message": f"timed out after {_timeout:g} s",
            "journals": _tally.journals, "launches": _tally.launches, "duration": _timeout})
    os._exit(TIMED_OUT_EXIT)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    _tally.journals = _tally.launches = 0
    _write({"nodeid": item.nodeid, "when": "start"})
    timer = None
    if _timeout:
        timer = threading.Timer(_timeout, _time_out, args=(item.nodeid,))
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()
        _write({"nodeid": item.nodeid, "when": "end"})


def _first_line(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


_OURS = (Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "helion2json")


def needs_triton(excinfo: pytest.ExceptionInfo | None) -> str | None:
    """A skip reason when the test stopped at an `import triton` of Helion's own code (an example
    whose module also holds a Triton reference kernel), before any kernel of ours ran; else None."""
    if excinfo is None or not excinfo.errisinstance(ModuleNotFoundError) or excinfo.value.name != "triton":
        return None
    where = Path(str(excinfo.traceback[-1].path)).resolve()
    if any(where.is_relative_to(ours) for ours in _OURS):
        return None
    return f"needs Triton, which a CPU machine does not have: {where.name}:{excinfo.traceback[-1].lineno + 1} imports it"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when == "call" and report.passed and _tally.journals and not _tally.launches:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, OUT_OF_SCOPE)
    triton = needs_triton(call.excinfo) if report.when == "call" and report.failed and not _tally.launches else None
    if triton is not None:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, triton)
    report.user_properties += [("helion_journals", _tally.journals), ("helion_launches", _tally.launches)]
    reason = reference_less_accurate(_test_key(item), call.excinfo) if report.when == "call" and report.failed else None
    if reason is not None:
        report.user_properties.append(("helion_reference", reason))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """One line per phase that decides the outcome: the call, or a setup or teardown that failed
    or skipped."""
    if _report is None or (report.when != "call" and report.passed):
        return
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else _first_line(report)
        message = reason.removeprefix("Skipped: ")
    else:
        message = _first_line(report) if report.failed else ""
    props = dict(report.user_properties)
    if "helion_reference" in props:
        message = REFERENCE_PREFIX + props["helion_reference"]
    entry = {
        "nodeid": report.nodeid, "when": report.when, "outcome": report.outcome, "message": message,
        "journals": props.get("helion_journals", 0), "launches": props.get("helion_launches", 0),
        "duration": round(report.duration, 3),
    }
    _write(entry)
