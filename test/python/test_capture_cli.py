"""`python -m helion2json`: output, options, and one-line errors with status 1 and no output file."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from helion2json.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[2]

ADD = ["--entry", "examples/add.py:add", "--arg", "torch.randn(100, 77)", "--arg", "torch.randn(100, 77)"]
MATMUL = ["--entry", "examples/matmul.py:matmul", "--arg", "torch.randn(100, 70)", "--arg", "torch.randn(70, 50)"]


def run_ok(capsys, argv: list[str]) -> str:
    assert main(argv) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def run_error(capsys, argv: list[str]) -> str:
    """Run the CLI expecting failure; return its single stderr line without the prefix."""
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("helion2json: error: ")
    return lines[0][len("helion2json: error: "):]


def test_writes_the_spec_to_stdout(capsys):
    spec = json.loads(run_ok(capsys, ADD))
    assert spec["version"] == 1
    assert spec["kernel"]["name"] == "add"
    assert [t["shape"] for t in spec["host_tensors"]] == [[100, 77]] * 3


def test_writes_the_spec_to_a_file_with_options(capsys, tmp_path):
    out = tmp_path / "mm.json"
    config = '{"block_sizes": [32, 32, 16]}'
    assert run_ok(capsys, [*MATMUL, "--config", config, "--module-name", "mm_32", "--indent", "0",
                           "--out", str(out)]) == ""
    text = out.read_text()
    assert text.count("\n") == 1
    spec = json.loads(text)
    assert spec["kernel"]["name"] == "mm_32"
    assert [b["tile_size"] for b in spec["block_sizes"]] == [32, 32, 16]
    assert [p.name for p in tmp_path.iterdir()] == ["mm.json"]


def test_default_config_flag_matches_no_config(capsys):
    assert run_ok(capsys, [*ADD, "--default-config"]) == run_ok(capsys, ADD)


def test_module_entry(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "test" / "python" / "kernels"))
    spec = json.loads(run_ok(capsys, ["--entry", "multi_output:add_sub", "--arg", "torch.randn(6, 5)",
                                      "--arg", "torch.randn(6, 5)"]))
    assert spec["outputs"] == ["total", "diff"]


@pytest.mark.parametrize("argv, expected", [
    ([], "the following arguments are required: --entry"),
    (["--entry", "examples/add.py"], "--entry 'examples/add.py': expected FILE.py:function or module:function"),
    (["--entry", "examples/nope.py:add"], "--entry 'examples/nope.py:add': no such file examples/nope.py"),
    (["--entry", "examples/add.py:sub"], "--entry 'examples/add.py:sub': examples/add.py has no attribute 'sub'"),
    (["--entry", "examples/add.py:reference"],
     "--entry 'examples/add.py:reference': reference is a function, not a @helion.kernel"),
    (["--entry", "no_such_module:f"],
     "--entry 'no_such_module:f': cannot import module no_such_module: "
     "ModuleNotFoundError: No module named 'no_such_module'"),
    (["--entry", "examples/add.py:add", "--arg", "torch.randn(3,"],
     "--arg 0 ('torch.randn(3,'): SyntaxError: '(' was never closed (<string>, line 1)"),
    (["--entry", "examples/add.py:add", "--arg", "torch.randn(3)", "--arg", "undefined_name"],
     "--arg 1 ('undefined_name'): NameError: name 'undefined_name' is not defined"),
    (["--entry", "examples/add.py:add", "--arg", "1", "--arg", "2"], "the kernel has no tensor arguments"),
    (["--entry", "examples/add.py:add"], "the kernel has no tensor arguments"),
    ([*ADD[:4], "--arg", "torch.randn(100, 77, device='meta')"],
     "argument 1 ('y'): tensors must be on the CPU, got device 'meta'"),
    ([*ADD, "--config", "{block_sizes: [32]}"],
     "--config: invalid JSON at line 1 column 2: Expecting property name enclosed in double quotes"),
    ([*ADD, "--config", "[32, 32]"], "--config: expected a JSON object"),
    ([*ADD, "--config", '{"block_sizes": [32, 32], "tile_sizes": [1]}'], "config: unknown key 'tile_sizes'"),
    ([*ADD, "--config", '{"block_sizes": [32, 33]}'], "config: config[block_sizes][1] must be a power of two"),
    ([*ADD, "--config", "{}", "--default-config"], "argument --default-config: not allowed with argument --config"),
    ([*ADD, "--module-name", "2fast"], "--module-name '2fast': expected a name"),
    ([*ADD, "--indent", "-1"], "--indent -1: expected 0 to 16"),
    ([*ADD, "--indent", "99999999999"], "--indent 99999999999: expected 0 to 16"),
    ([*ADD, "--indent", "nan"], "argument --indent: invalid int value: 'nan'"),
])
def test_errors(capsys, tmp_path, argv, expected):
    out = tmp_path / "never.json"
    message = run_error(capsys, [*argv, "--out", str(out)])
    assert message.startswith(expected), message
    assert not out.exists()


def test_returning_an_expression(capsys):
    path = "test/python/kernels/bad.py"
    with open(path) as f:
        line = next(i for i, text in enumerate(f, 1) if "return out.view(-1)" in text)
    message = run_error(capsys, ["--entry", f"{path}:returns_expression", "--arg", "torch.randn(4, 4)"])
    assert message.startswith(f"{path}:{line}: the kernel returns `out.view(-1)`; it must return host tensors")


def test_a_failed_capture_leaves_an_existing_output_alone(capsys, tmp_path):
    out = tmp_path / "kept.json"
    out.write_text("previous\n")
    run_error(capsys, [*ADD, "--config", '{"block_sizes": [3]}', "--out", str(out)])
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.json"]


def test_an_unwritable_output_is_an_error(capsys, tmp_path):
    message = run_error(capsys, [*ADD, "--out", str(tmp_path / "missing" / "add.json")])
    assert message == f"cannot write {tmp_path / 'missing' / 'add.json'}: No such file or directory"


def test_a_capture_bug_is_reported_in_one_line(capsys, monkeypatch):
    import helion2json.capture

    def broken(*args, **kwargs):
        raise KeyError("block_size_7")

    monkeypatch.setattr(helion2json.capture, "export_kernel", broken)
    assert run_error(capsys, ADD) == "internal error: KeyError: 'block_size_7'"


def subprocess_cli(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python")}
    return subprocess.run([sys.executable, "-m", "helion2json", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_subprocess_capture_matches_the_committed_fixture(tmp_path):
    out = tmp_path / "add.json"
    proc = subprocess_cli(*ADD, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == (ROOT / "test" / "fixtures" / "add.json").read_text()


def test_subprocess_error_is_one_line_without_traceback(tmp_path):
    out = tmp_path / "add.json"
    proc = subprocess_cli("--entry", "examples/add.py:add", "--arg", "torch.randn(4, 4)",
                          "--arg", "torch.randn(4, 4).cuda()", "--out", str(out))
    assert proc.returncode == 1
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("helion2json: error: --arg 1 ('torch.randn(4, 4).cuda()'): "), proc.stderr
    assert not out.exists()
