"""Every CHECKS case of examples/*.py: `python -m helion_mlir check --backend` must pass (capture,
lower, verify, run on the CPU, match the reference; then the kernel called directly under Helion's
backend "mlir" must match the same reference), and the kernel must also lower and verify with
symbolic tiles and with torch ops (torch-mlir's forms: read through our IRDL torch dialect, and
verified by torch-mlir when it is installed)."""

from __future__ import annotations

import json
import subprocess

import pytest
import torch

from helion2json import export_kernel
from helion2json.cli import eval_args, load_entry
from helion_mlir import check, torch_mlir_bridge
from examples_suite.cases import REPO, discover

CASES = discover()
TOOLS = REPO / "build" / "bin"


def _params(cases):
    return [pytest.param(c, id=c.name, marks=pytest.mark.skip(reason=c.skip) if c.skip else ()) for c in cases]


# Cases whose device function Helion's Triton codegen, which the backend runs for the host code,
# cannot generate (on a GPU too): the error each one stops at.
BACKEND_UNSUPPORTED = {
    "reductions.row_max_and_min[10]": "reductions with >1 input",
    "reductions.row_max_and_min[11]": "reductions with >1 input",
    "reductions.row_max_and_min[28]": "reductions with >1 input",
    "reductions.standardize[20]": "reductions with >1 input",
    "reductions.standardize[21]": "InductorLoweringError: Error in codegen for node _for_loop_3",
    "reductions.standardize[22]": "InductorLoweringError: Error in codegen for node _for_loop_3",
    "sort.sort_columns[10]": "tl.sort only supports sorting on last dimension",
}


@pytest.mark.parametrize("case", _params(CASES))
def test_check_matches_the_reference(case, capsys):
    argv = case.check_argv() + ([] if case.name in BACKEND_UNSUPPORTED else ["--backend"])
    status = check.main(argv)
    line = capsys.readouterr().out.strip()
    assert status == 0, line
    assert line.endswith("match"), line
    assert case.name in BACKEND_UNSUPPORTED or "backend max abs error" in line, line


@pytest.mark.parametrize("name", sorted(BACKEND_UNSUPPORTED))
def test_backend_limits_are_helions_codegen(name, capsys):
    [case] = [c for c in CASES if c.name == name]
    status = check.main(case.check_argv() + ["--backend"])
    line = capsys.readouterr().out.strip()
    assert status == 1 and "backend FAILED" in line and BACKEND_UNSUPPORTED[name] in line, line


def _lower(spec_path, *flags: str) -> str:
    proc = subprocess.run([str(TOOLS / "helion-mlir"), str(spec_path), *flags], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _verify(text: str, *flags: str) -> None:
    proc = subprocess.run([str(TOOLS / "helion-opt"), "-", "-o", "/dev/null", *flags], input=text,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


MODE_CASES = [c for c in CASES if c.modes and not c.skip]


@pytest.mark.parametrize("case", _params(MODE_CASES))
def test_other_lowerings_verify(case, tmp_path):
    torch.manual_seed(0)
    kernel, namespace = load_entry(case.entry)
    spec = export_kernel(kernel, eval_args(list(case.args), namespace), case.config)
    path = tmp_path / "kernel.json"
    path.write_text(json.dumps(spec))
    if "symbolic" in case.modes:
        text = _lower(path, "--tiles=symbolic")
        if any(b["tile_size"] is not None for b in spec["block_sizes"]):
            assert '"loom.get_symbol"' in text
        _verify(text)
    if "torch" in case.modes:
        text = _lower(path, "--aten=torch")
        _verify(text)
        if torch_mlir_bridge.unavailable() is None:  # test_torch_mlir.py says so when it is missing
            torch_mlir_bridge.verify(text)
