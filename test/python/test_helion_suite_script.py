"""scripts/helion-suite on a tiny Helion-like tree: --examples-from takes the examples' results from an
earlier run's results.json, and the report names both runs' helion-mlir commits; with --examples it
runs those examples again and says which commit each row ran on."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TEST = '''
def test_passes():
    assert 1 + 1 == 2

def test_fails():
    assert 1 + 1 == 3, "arithmetic is off"
'''


# An example whose main() checks itself; it also checks that the out-of-memory killer would take it
# first (the suite runs examples with GPU-sized inputs beside other work).
EXAMPLE = '''
def main():
    with open("/proc/self/oom_score_adj") as f:
        assert f.read().strip() == "1000"
'''


def suite(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ROOT / "scripts" / "helion-suite"), str(tmp_path / "src"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def tree(tmp_path: Path) -> None:
    (tmp_path / "src" / "test").mkdir(parents=True)
    (tmp_path / "src" / "examples").mkdir()
    (tmp_path / "src" / "test" / "test_tiny.py").write_text(TEST)
    (tmp_path / "src" / "examples" / "selfcheck.py").write_text(EXAMPLE)


def test_examples_from_an_earlier_run(tmp_path):
    tree(tmp_path)
    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps({"commit": "abc1234", "tests": {}, "examples": [
        {"example": "add", "kernel": "add", "result": "match", "seconds": 1.0}]}))
    out, log = tmp_path / "report.md", tmp_path / "log"
    proc = suite(tmp_path, "--files", "test_tiny", "--examples-from", str(earlier), "--out", str(out),
                 "--log", str(log))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = out.read_text()
    assert f"examples from an earlier run: {earlier} (helion-mlir abc1234)" in report
    assert "| add | add | match |" in report
    assert "| test_tiny | 1 | 1 | 0 |" in report
    assert "- `test_tiny.py::test_fails`: cause not analysed yet" in report
    results = json.loads((log / "results.json").read_text())
    assert results["examples_commit"] == "abc1234"
    assert results["commit"] and results["commit"] != "abc1234"
    assert results["examples"][0]["example"] == "add"


def test_a_later_runs_examples_replace_an_earlier_runs(tmp_path):
    tree(tmp_path)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps({"commit": "abc1234", "tests": {}, "examples": [
        {"example": "add", "kernel": "add", "result": "match"},
        {"example": "sum", "kernel": "one", "result": "AssertionError: off"},
        {"example": "sum", "kernel": "two", "result": "AssertionError: off"},
        {"example": "exp", "kernel": "exp", "result": "match"}]}))
    second.write_text(json.dumps({"commit": "def5678", "tests": {}, "examples": [
        {"example": "sum", "kernel": "one", "result": "match"},
        {"example": "rope", "kernel": "rope", "result": "match"}]}))
    out, log = tmp_path / "report.md", tmp_path / "log"
    proc = suite(tmp_path, "--files", "--examples-from", str(first), str(second), "--out", str(out), "--log", str(log))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json.loads((log / "results.json").read_text())["examples"]
    assert [(r["example"], r["kernel"], r["result"], r["commit"]) for r in rows] == [
        ("add", "add", "match", "abc1234"), ("sum", "one", "match", "def5678"), ("exp", "exp", "match", "abc1234"),
        ("rope", "rope", "match", "def5678")]
    assert (f"examples from earlier runs, a later one's examples replacing an earlier one's: {first} (helion-mlir "
            f"abc1234); {second} (helion-mlir def5678)") in out.read_text()


def test_an_earlier_run_without_its_commit_is_refused(tmp_path):
    tree(tmp_path)
    earlier = tmp_path / "old.json"
    earlier.write_text(json.dumps({"tests": {}, "examples": []}))
    out = tmp_path / "report.md"
    proc = suite(tmp_path, "--files", "test_tiny", "--examples-from", str(earlier), "--out", str(out))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not a results.json of a run that recorded its commit" in proc.stderr
    assert not out.exists()


def test_examples_run_again_replace_the_earlier_rows(tmp_path):
    tree(tmp_path)
    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps({"commit": "abc1234", "tests": {}, "examples": [
        {"example": "selfcheck", "kernel": "one", "result": "AssertionError: off", "seconds": 1.0},
        {"example": "add", "kernel": "add", "result": "match", "seconds": 1.0},
        {"example": "selfcheck", "kernel": "two", "result": "AssertionError: off", "seconds": 1.0}]}))
    out, log = tmp_path / "report.md", tmp_path / "log"
    proc = suite(tmp_path, "--files", "--examples-from", str(earlier), "--examples", "selfcheck", "--out", str(out),
                 "--log", str(log))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((log / "results.json").read_text())
    now = results["commit"]
    assert [(r["example"], r["kernel"], r["result"], r["commit"]) for r in results["examples"]] == [
        ("selfcheck", "main()'s own checks", "match", now), ("add", "add", "match", "abc1234")]
    report = out.read_text()
    assert f"selfcheck run again on helion-mlir {now}" in report
    assert f"| selfcheck | main()'s own checks | match | {now} |" in report
    assert "| add | add | match | abc1234 |" in report
    assert "AssertionError: off" not in report


def test_examples_from_excludes_no_examples(tmp_path):
    tree(tmp_path)
    proc = suite(tmp_path, "--examples-from", str(tmp_path / "x.json"), "--no-examples")
    assert proc.returncode == 2 and "--examples-from" in proc.stderr


REFERENCE = '''
import torch
from helion._testing import TestCase


class TestExamples(TestCase):
    def test_layernorm_bwd_large_batch(self):
        torch.testing.assert_close(torch.zeros(3), torch.ones(3))
'''


def examples_report(tmp_path: Path, test_examples: str) -> str:
    """The report of a run of the tiny tree's test_examples.py, holding `test_examples`."""
    tree(tmp_path)
    (tmp_path / "src" / "test" / "test_examples.py").write_text(test_examples)
    out = tmp_path / "report.md"
    proc = suite(tmp_path, "--files", "test_examples", "--no-examples", "--out", str(out), "--log", str(tmp_path / "log"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out.read_text()


def test_a_failure_on_the_references_error_has_its_column_and_reason(tmp_path):
    report = examples_report(tmp_path, REFERENCE)
    assert "| test_examples | 0 | 0 | 0 | 0 | 1 | 0% |" in report
    assert "Reference less accurate (1 tests" in report
    assert "- `test_examples.py::TestExamples::test_layernorm_bwd_large_batch`: torch's float16 layer_norm" in report


# A check whose reference sums in float16 one row at a time (it stops growing near 4096, where a row's
# values are below half a float16 step; the kernel sums in float64), and a kernel off by 10% against
# the same reference.
ACCURACY = '''
import torch
from helion._testing import run_example


def running_sum(x):
    total = x[0]
    for row in x[1:]:
        total = total + row
    return total


def wide_sum(x):
    return x.double().sum(0).to(x.dtype)


def off(x):
    return wide_sum(x) * 1.1


def main():
    x = (torch.rand(16384, 4, generator=torch.Generator().manual_seed(0)) + 0.5).half()
    run_example(wide_sum, running_sum, (x,), rtol=1e-2, atol=1e-1)
    run_example(off, running_sum, (x,), rtol=1e-2, atol=1e-1)
'''


def test_a_failed_check_is_measured_against_float64(tmp_path):
    tree(tmp_path)
    (tmp_path / "src" / "examples" / "sums.py").write_text(ACCURACY)
    out, log = tmp_path / "report.md", tmp_path / "log"
    proc = suite(tmp_path, "--files", "--examples", "sums", "--out", str(out), "--log", str(log))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json.loads((log / "results.json").read_text())["examples"]
    assert [(r["kernel"], r["reference_less_accurate"]) for r in rows] == [("wide_sum", True), ("off", False)]
    report = out.read_text()
    assert "0 of the 2 checks that bind on CPU match (0%); 1 of the others failed on their torch CPU reference's" in report
    assert ("| sums | wide_sum | reference less accurate (`AssertionError: Tensor-likes are not close!`): "
            "against float64 on the same inputs (float16") in report
    assert "| sums | off | AssertionError: Tensor-likes are not close!; against float64" in report


SLOW = '''
import time


def main():
    time.sleep(600)
'''


def test_a_timed_out_example_says_what_was_running_at_its_end(tmp_path):
    tree(tmp_path)
    (tmp_path / "src" / "examples" / "slow.py").write_text(SLOW)
    out, log = tmp_path / "report.md", tmp_path / "log"
    proc = suite(tmp_path, "--files", "--examples", "slow", "--example-timeout", "40", "--out", str(out),
                 "--log", str(log))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [row] = json.loads((log / "results.json").read_text())["examples"]
    assert row["result"].startswith("timed out after 40 s; at its end ")
    assert " GiB resident, with no kernel of ours running: main (slow.py:6), from slow.py:6; 0 s in kernels of ours" in row["result"]
    # its own code took most of the limit: too large for this CPU, whatever our kernels do
    assert row["not_on_cpu"].startswith("its GPU-sized shapes are too large for this CPU")


ANALYSED = '''
from helion._testing import TestCase


class TestExamples(TestCase):
    def test_bf16xint16(self):
        assert False, "Tensor-likes are not close!"
'''


def test_an_analysed_failure_has_its_cause_and_stays_failed(tmp_path):
    from helion_suite.causes import CAUSES

    report = examples_report(tmp_path, ANALYSED)
    assert "| test_examples | 0 | 1 | 0 | 0 | 0 | 0% |" in report
    nodeid = "test_examples.py::TestExamples::test_bf16xint16"
    assert f"- `{nodeid}`: {CAUSES[nodeid]}" in report
