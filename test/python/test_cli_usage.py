"""Bad command lines of the Python tools: one line on stderr naming the option, exit status 1, no
traceback (README: every tool reports an error as one line and exits with status 1)."""

import os
import pathlib
import subprocess
import sys

import pytest

from helion2json import cli
from helion_mlir import check

ROOT = pathlib.Path(__file__).resolve().parents[2]
ADD = ["--entry", "examples/add.py:add", "--arg", "torch.randn(8, 8)", "--arg", "torch.randn(8, 8)"]


def run_tool(module: str, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python")}
    return subprocess.run([sys.executable, "-m", module, *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = (proc.stdout + proc.stderr).splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("argv, expected", [
    ([], "python -m helion_mlir: error: the following arguments are required: command"),
    (["bogus"], "python -m helion_mlir: error: argument command: invalid choice: 'bogus'"),
    (["check"], "python -m helion_mlir check: error: the following arguments are required: --entry"),
    (["check", *ADD, "--bogus"], "python -m helion_mlir: error: unrecognized arguments: --bogus"),
    (["check", *ADD, "--rtol", "-1"], "python -m helion_mlir check: error: argument --rtol: expected a finite "
                                      "number >= 0, got '-1'"),
    (["check", *ADD, "--rtol", "nan"], "python -m helion_mlir check: error: argument --rtol: expected a finite "
                                       "number >= 0, got 'nan'"),
    (["check", *ADD, "--atol", "inf"], "python -m helion_mlir check: error: argument --atol: expected a finite "
                                       "number >= 0, got 'inf'"),
    (["check", *ADD, "--atol", "x"], "python -m helion_mlir check: error: argument --atol: expected a number, "
                                     "got 'x'"),
])
def test_check_usage_errors(capsys, argv, expected):
    assert check.main(argv) == 1
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(expected), line


@pytest.mark.parametrize("argv, expected", [
    ([], "helion2json: error: the following arguments are required: --entry"),
    ([*ADD, "--indent", "x"], "helion2json: error: argument --indent: invalid int value: 'x'"),
    ([*ADD, "--indent", "-1"], "helion2json: error: --indent -1: expected 0 to 16"),
    ([*ADD, "--bogus"], "helion2json: error: unrecognized arguments: --bogus"),
])
def test_capture_usage_errors(capsys, argv, expected):
    assert cli.main(argv) == 1
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(expected), line


# The same through the interpreter: the exit status, and nothing but the line (no traceback).
@pytest.mark.parametrize("module, argv, expected", [
    ("helion_mlir", ["check", *ADD, "--rtol", "nan"], "python -m helion_mlir check: error: argument --rtol: "),
    ("helion2json", ["--entry"], "helion2json: error: argument --entry: expected one argument"),
])
def test_usage_errors_exit_1_without_traceback(module, argv, expected):
    line = one_error_line(run_tool(module, *argv))
    assert line.startswith(expected), line
