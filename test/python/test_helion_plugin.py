"""The pytest plugin helion_mlir.testing runs Helion-style tests on the CPU under backend "mlir": a
small test file written the way Helion's are (helion._testing's DEVICE, onlyBackends, code_and_output,
check_example's EXAMPLES_DIR, assertExpectedJournal), run in a pytest subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import helion_mlir
from helion_mlir.testing import (OUT_OF_SCOPE, OUT_OF_SCOPE_PREFIX, OUT_OF_SCOPE_TESTS, REFERENCE_LESS_ACCURATE,
                                 REFERENCE_PREFIX, reference_less_accurate)

TESTS = '''
import torch
import helion
import helion.language as hl
from helion._testing import DEVICE, EXAMPLES_DIR, TestCase, code_and_output, onlyBackends, skipIfLowVRAM


@helion.kernel
def twice(x):
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2.0
    return out


@onlyBackends(["triton"])
class TestLikeHelions(TestCase):
    def test_device_and_examples(self):
        assert DEVICE == torch.device("cpu")
        assert (EXAMPLES_DIR / "marker.txt").is_file()

    def test_kernel_numerics(self):
        x = torch.randn(37, device=DEVICE)
        code, out = code_and_output(twice, (x,), block_sizes=[16])
        torch.testing.assert_close(out, x * 2.0)
        self.assertExpectedJournal(code)

    def test_wrong_numerics_fail(self):
        x = torch.randn(37, device=DEVICE)
        _code, out = code_and_output(twice, (x,), block_sizes=[16])
        torch.testing.assert_close(out, x * 3.0)

    @skipIfLowVRAM("Test requires high VRAM", required_bytes=2**62)
    def test_more_memory_than_the_host_has(self):
        raise AssertionError("ran")

    @skipIfLowVRAM("Test requires high VRAM", required_bytes=2**20)
    def test_a_megabyte_after_synchronizing(self):
        torch.accelerator.synchronize()

    def test_code_only(self):
        bound = twice.bind((torch.randn(37, device=DEVICE),))
        self.assertExpectedJournal(bound.to_triton_code(helion.Config(block_sizes=[16])))

    def test_an_example_that_imports_triton(self):
        import sys
        sys.path.insert(0, str(EXAMPLES_DIR))
        import with_triton_reference  # noqa: F401

    def test_another_missing_module(self):
        import not_a_module_anywhere  # noqa: F401
'''

# A test of the name of one in OUT_OF_SCOPE_TESTS (which would fail if it ran), and one beside it.
MISC = '''
from helion._testing import TestCase


class TestLauncher(TestCase):
    def test_used_global_vals_mutation_raises(self):
        raise AssertionError("ran")

    def test_other(self):
        pass
'''


def test_helion_style_tests_run_on_the_cpu_against_mlir(tmp_path):
    (tmp_path / "test").mkdir()
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "marker.txt").write_text("")
    (tmp_path / "examples" / "with_triton_reference.py").write_text("import torch\nimport triton\n")
    (tmp_path / "test" / "test_like_helions.py").write_text(textwrap.dedent(TESTS))
    (tmp_path / "test" / "test_misc.py").write_text(textwrap.dedent(MISC))
    report = tmp_path / "report.jsonl"
    env = dict(os.environ)
    env.pop("HELION_BACKEND", None)
    env["PYTHONPATH"] = str(Path(helion_mlir.__file__).parents[1])  # the test runs elsewhere
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "helion_mlir.testing", "-p", "no:cacheprovider", "-q",
                           "--helion-report", str(report), "test/test_like_helions.py", "test/test_misc.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    entries = [json.loads(line) for line in report.read_text().splitlines()]
    calls = {e["nodeid"].split("::")[-1]: e for e in entries if e["when"] == "call"}
    assert calls["test_device_and_examples"]["outcome"] == "passed", proc.stdout
    assert calls["test_kernel_numerics"]["outcome"] == "passed", proc.stdout
    assert calls["test_kernel_numerics"]["launches"] == 1 and calls["test_kernel_numerics"]["journals"] == 1
    assert calls["test_wrong_numerics_fail"]["outcome"] == "failed"
    assert calls["test_wrong_numerics_fail"]["message"].startswith("AssertionError: Tensor-likes are not close")
    assert calls["test_code_only"]["outcome"] == "skipped" and calls["test_code_only"]["message"] == OUT_OF_SCOPE
    huge = next(e for e in entries if e["nodeid"].endswith("test_more_memory_than_the_host_has") and e["when"] != "start"
                and e["when"] != "end")
    assert huge["outcome"] == "skipped" and "needs 4294967296.0 GiB of memory, the CPU has" in huge["message"]
    assert calls["test_a_megabyte_after_synchronizing"]["outcome"] == "passed", proc.stdout
    assert calls["test_an_example_that_imports_triton"]["outcome"] == "skipped"
    assert calls["test_an_example_that_imports_triton"]["message"] == (
        "needs Triton, which a CPU machine does not have: with_triton_reference.py:2 imports it")
    assert calls["test_another_missing_module"]["outcome"] == "failed"
    assert {e["when"] for e in entries} >= {"start", "end"}
    skipped = next(e for e in entries if e["nodeid"].endswith("TestLauncher::test_used_global_vals_mutation_raises")
                   and e["when"] == "setup")
    reason = OUT_OF_SCOPE_TESTS["test_misc.py::TestLauncher::test_used_global_vals_mutation_raises"]
    assert skipped["outcome"] == "skipped" and skipped["message"] == OUT_OF_SCOPE_PREFIX + reason
    assert calls["test_other"]["outcome"] == "passed"
    assert proc.returncode == 1  # the failing tests


# A test of the name of one in REFERENCE_LESS_ACCURATE, failing its closeness check.
EXAMPLES = '''
import torch
from helion._testing import TestCase


class TestExamples(TestCase):
    def test_layernorm_bwd_large_batch(self):
        torch.testing.assert_close(torch.zeros(3), torch.ones(3))
'''

REFERENCE_KEY = "test_examples.py::TestExamples::test_layernorm_bwd_large_batch"


def test_a_closeness_failure_on_the_references_error_says_so(tmp_path):
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "test_examples.py").write_text(textwrap.dedent(EXAMPLES))
    report = tmp_path / "report.jsonl"
    env = dict(os.environ)
    env.pop("HELION_BACKEND", None)
    env["PYTHONPATH"] = str(Path(helion_mlir.__file__).parents[1])
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "helion_mlir.testing", "-p", "no:cacheprovider", "-q",
                           "--helion-report", str(report), "test/test_examples.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    [call] = [json.loads(line) for line in report.read_text().splitlines() if json.loads(line)["when"] == "call"]
    assert call["outcome"] == "failed", proc.stdout
    assert call["message"] == REFERENCE_PREFIX + REFERENCE_LESS_ACCURATE[REFERENCE_KEY]
    assert proc.returncode == 1  # still a failure


def _raised(error: BaseException) -> pytest.ExceptionInfo:
    try:
        raise error
    except BaseException:
        return pytest.ExceptionInfo.from_current()


def test_only_a_listed_tests_closeness_failure_is_the_references():
    not_close = AssertionError("Tensor-likes are not close!\n\nMismatched elements: 10 / 16")
    assert reference_less_accurate(REFERENCE_KEY, _raised(not_close)) == REFERENCE_LESS_ACCURATE[REFERENCE_KEY]
    assert reference_less_accurate(REFERENCE_KEY, _raised(AssertionError("3 != 4"))) is None
    assert reference_less_accurate(REFERENCE_KEY, _raised(RuntimeError("not close"))) is None
    assert reference_less_accurate(REFERENCE_KEY, None) is None
    assert reference_less_accurate("test_examples.py::TestExamples::test_other", _raised(not_close)) is None
