"""--aten=torch output in torch-mlir: every fixture's module verifies with torch-mlir's own torch
dialect, and torch-mlir's lowering of it, run through our JIT, computes what our linalg lowering
computes on the same inputs. Where the two differ, the failure says which one PyTorch (Helion's
interpreter on the same inputs) agrees with. The same for the output types torch-mlir makes of the
torch mode, --aten=tosa and --aten=stablehlo: every fixture converts and verifies or fails with one
line naming the op and the kernel source line, and the converted module, lowered on to linalg by
torch-mlir's upstream passes, runs through our JIT to our numbers. The tests that run torch-mlir are
skipped, with the reason, when it is not installed; `make setup` installs it."""

from __future__ import annotations

import functools
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
import torch

from helion2json.cli import eval_args
from helion2json.fixtures import TABLE, read_table
from helion_mlir import HelionMlirError, check, compile_mlir, torch_mlir_bridge, verify_mlir
from helion_mlir.api import _Compiled
from helion_mlir.kernel import generate_spec_mlir

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOL = ROOT / "build" / "bin" / "helion-mlir"
FIXTURES = read_table(str(ROOT / TABLE))

# Fixtures whose torch-mode module has no torch op, and why (the module is still checked).
NO_TORCH_OPS = {
    "gather_embedding": "it only loads and stores",
    "dot_acc": "hl.dot is a Helion op, lowered to linalg.matmul in both modes",
    "row_argmax_looped": "a looped argmax keeps its linalg form (docs/design.md)",
    "row_argmax_width1": "inductor folds an argmax over one element into the constant 0 (docs/design.md)",
    "store_fill": "it only stores numbers",
    "store_strided": "it only loads and stores strided slices",
    "store_one": "it only loads and stores one-element tiles",
    "tile_chunk_ends": "it only computes sizes and stores them",
    "sort_rows": "sort has no torch-mlir op here: it keeps its linalg form (lib/lower/ops/Sort.c)",
    "topk_rows": "topk has no torch-mlir op here: it keeps its linalg form (lib/lower/ops/Sort.c)",
    "atomic_index": "hl.atomic_add is a Helion op (memref.atomic_rmw in both modes), its index a number",
    "atomic_cas": "hl.atomic_cas is a Helion op (memref.generic_atomic_rmw in both modes)",
    "atomic_cas_one": "hl.atomic_cas is a Helion op (memref.generic_atomic_rmw in both modes)",
    "atomic_swap": "hl.atomic_xchg and hl.atomic_add are Helion ops (memref.atomic_rmw in both modes) and it only stores their old values",
    "gather_tensor": "torch.gather of tiles keeps its linalg form here (lib/lower/ops/Gather.c)",
    "var_mean_bf16": "inductor's decomposition of var_mean (sums, squares, divisions) is linalg in both modes",
}

needs_torch_mlir = pytest.mark.skipif(torch_mlir_bridge.unavailable() is not None,
                                      reason=torch_mlir_bridge.unavailable() or "")


def _torch_mode(name: str) -> str:
    proc = subprocess.run([str(TOOL), str(ROOT / "test" / "fixtures" / f"{name}.json"), "--aten=torch"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _option(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def _outputs(result) -> tuple:
    return result if isinstance(result, tuple) else (result,)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Within torch.testing's tolerances for the dtype: the two lowerings may sum in different orders
    (torch-mlir adds a K tile's product to the accumulator, ours accumulates into it), which can move
    an f16 result by one unit in the last place."""
    try:
        torch.testing.assert_close(a, b, equal_nan=True)
    except AssertionError:
        return False
    return True


@needs_torch_mlir
@pytest.mark.parametrize("name, argv", FIXTURES, ids=[name for name, _ in FIXTURES])
def test_torch_mode_verifies_in_torch_mlir(name, argv):
    text = _torch_mode(name)
    has_torch_ops = re.search(r'"torch\.(aten|prims)\.', text) is not None
    assert has_torch_ops == (name not in NO_TORCH_OPS), NO_TORCH_OPS.get(name, "no torch op in the module")
    torch_mlir_bridge.verify(text)


def _spec(name: str) -> dict:
    return json.loads((ROOT / "test" / "fixtures" / f"{name}.json").read_text())


def _copy(arg: object) -> object:
    """A fresh copy of a tensor argument, for a kernel that writes it in place; an expanded tensor (a
    stride of 0), which no kernel can write, as it is: the module was compiled for its strides."""
    if not isinstance(arg, torch.Tensor) or 0 in arg.stride():
        return arg
    return arg.clone()


def _computes_what_ours_does(name: str, argv: list[str], lowered: str, whose: str) -> None:
    """`lowered` (linalg from torch-mlir) reads back into MLIR 22, JIT-compiles, and computes our
    linalg lowering's outputs on the same inputs; where not, the failure says who matches PyTorch."""
    spec = _spec(name)
    verify_mlir(lowered)
    theirs = _Compiled(spec, compile_mlir(lowered, spec["kernel"]["name"]))
    ours = _Compiled(spec)

    torch.manual_seed(0)
    args = eval_args(_option(argv, "--arg"), {})
    expected_ours = _outputs(ours(tuple(_copy(a) for a in args)))
    expected_theirs = _outputs(theirs(tuple(_copy(a) for a in args)))
    differ = [i for i, (a, b) in enumerate(zip(expected_ours, expected_theirs)) if not _close(a, b)]
    if not differ:
        return
    reference = _outputs(check.interpreter_reference(_option(argv, "--entry")[0], list(args)))
    verdicts = []
    for i in differ:
        right = [who for who, out in (("ours", expected_ours[i]), (whose, expected_theirs[i]))
                 if _close(out, reference[i].to(out.dtype))]
        verdicts.append(f"output {i}: {' and '.join(right) or 'neither'} matches PyTorch")
    pytest.fail(f"{name}: {whose} and ours differ; " + "; ".join(verdicts))


@needs_torch_mlir
@pytest.mark.parametrize("name, argv", FIXTURES, ids=[name for name, _ in FIXTURES])
def test_torch_mlir_lowering_computes_what_ours_does(name, argv):
    _computes_what_ours_does(name, argv, torch_mlir_bridge.lower_to_linalg(_torch_mode(name)),
                             "torch-mlir's lowering")


# What torch-mlir cannot convert to an output type, by fixture: the op it names (one error line at
# the kernel source line of the node). torch-mlir's TOSA conversion takes the number of a `.Scalar`
# op only as a constant, and tile_identities compares positions with a tile's run-time begin.
CANNOT_CONVERT = {("tosa", "tile_identities"): ("torch.aten.lt.Scalar", "lt")}

# Converted modules that torch-mlir's upstream passes do not lower on to linalg, and why (what the
# failure says): tosa-to-linalg-pipeline validates TOSA 1.0's profiles and levels first.
NOT_LOWERED = {
    ("tosa", "while_rows"): "element type 'f64' is not legal",  # torch-mlir compares an f32 with 1.0 in f64
    ("tosa", "max_min_width1"): "got (i64,f32)",  # TOSA has no i64: the kernel's index outputs
    ("tosa", "max_min_looped"): "got (i64,f32)",
    ("tosa", "dynamic_row_norm"): "cannot be dynamic",  # static_shapes=False: TOSA 1.0 has static shapes
    ("stablehlo", "dynamic_row_norm"): "stablehlo.dynamic_broadcast_in_dim",
}

TARGET_CASES = [(target, name, argv) for target in torch_mlir_bridge.TARGETS for name, argv in FIXTURES]
TARGET_IDS = [f"{target}-{name}" for target, name, _ in TARGET_CASES]


def _source_line(name: str, node: str) -> str:
    for graph in _spec(name)["graphs"]:
        for n in graph["nodes"]:
            if n["name"] == node:
                return f"{n['loc']['file']}:{n['loc']['line']}"
    raise AssertionError(f"{name} has no node {node!r}")


def _cannot_convert_line(target: str, name: str) -> str:
    op, node = CANNOT_CONVERT[(target, name)]
    return f"{_source_line(name, node)}: torch-mlir cannot convert '{op}' to {target} (node '{node}')"


@functools.cache
def _converted(target: str, name: str) -> str | HelionMlirError:
    """The fixture in that output type, or the error (both tests below read it)."""
    try:
        return generate_spec_mlir(_spec(name), aten=target)
    except HelionMlirError as e:
        return e


@needs_torch_mlir
@pytest.mark.parametrize("target, name, argv", TARGET_CASES, ids=TARGET_IDS)
def test_output_type_verifies_or_names_the_op(target, name, argv):
    text = _converted(target, name)
    if (target, name) in CANNOT_CONVERT:
        assert isinstance(text, HelionMlirError) and str(text) == _cannot_convert_line(target, name)
        return
    assert isinstance(text, str), str(text)
    torch_mlir_bridge.verify(text)  # in a new torch-mlir context, as printed
    assert re.search(r"\btorch(_c)?\.", text) is None, "torch ops left"
    assert re.search(rf"\b{target}\.", text) is not None or name in NO_TORCH_OPS


@needs_torch_mlir
@pytest.mark.parametrize("target, name, argv", TARGET_CASES, ids=TARGET_IDS)
def test_output_type_lowered_to_linalg_computes_what_ours_does(target, name, argv):
    if (target, name) in CANNOT_CONVERT:
        pytest.skip(f"torch-mlir cannot convert it to {target}")
    text = _converted(target, name)
    assert isinstance(text, str), str(text)
    if (target, name) in NOT_LOWERED:
        with pytest.raises(torch_mlir_bridge.TorchMlirError, match=re.escape(NOT_LOWERED[(target, name)])):
            torch_mlir_bridge.to_linalg(text, target)
        return
    _computes_what_ours_does(name, argv, torch_mlir_bridge.to_linalg(text, target), f"torch-mlir's {target}")


@needs_torch_mlir
@pytest.mark.parametrize("target", list(torch_mlir_bridge.TARGETS))
def test_an_op_neither_target_has_is_named_at_its_source_line(target):
    """torch-mlir has no TOSA or StableHLO form of erfinv: put in tanh's place, the error names it at
    tanh's node and line (TOSA's conversion fails on it, StableHLO's leaves it)."""
    from helion_mlir import _lib

    spec = json.dumps(_spec("pointwise_activations")).encode()
    text = _lib.take_string(_lib.call("hm_capi_generate_mlir", spec, 0, 1, 1))
    assert text.count('"torch.aten.tanh"') == 1
    with pytest.raises(torch_mlir_bridge.TorchMlirError) as e:
        torch_mlir_bridge.convert(text.replace('"torch.aten.tanh"', '"torch.aten.erfinv"'), target)
    assert str(e.value) == (f"{_source_line('pointwise_activations', 'tanh')}: torch-mlir cannot convert "
                            f"'torch.aten.erfinv' to {target} (node 'tanh')")


@needs_torch_mlir
@pytest.mark.parametrize("aten", ["torch", "tosa", "stablehlo"])
def test_check_runs_an_output_type_against_pytorch(aten, capsys):
    argv = ["check", "--entry", "examples/softmax.py:softmax", "--arg", "torch.randn(37, 50)",
            "--ref", "examples/softmax.py:reference", "--aten", aten]
    assert check.main(argv) == 0
    assert re.fullmatch(r"softmax: lowered, verified, ran, max abs error \S+, match\n", capsys.readouterr().out)


@needs_torch_mlir
def test_check_names_what_torch_mlir_cannot_convert(capsys):
    argv = ["check", "--entry", "examples/tile_ops.py:tile_identities", "--arg", "torch.randn(100)",
            "--aten", "tosa"]
    assert check.main(argv) == 1
    assert capsys.readouterr().out == (f"tile_identities: lowered FAILED: "
                                       f"{_cannot_convert_line('tosa', 'tile_identities')}\n")


def _tool(*argv: str, python: str = sys.executable) -> subprocess.CompletedProcess:
    return subprocess.run([str(TOOL), *argv], capture_output=True, text=True,
                          env={**os.environ, "HELION_MLIR_PYTHON": python})


@needs_torch_mlir
@pytest.mark.parametrize("target", list(torch_mlir_bridge.TARGETS))
def test_the_tool_converts_through_the_bridge(target, tmp_path):
    out = tmp_path / "out.mlir"
    proc = _tool(str(ROOT / "test" / "fixtures" / "softmax.json"), f"--aten={target}", "-o", str(out))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    text = out.read_text()
    torch_mlir_bridge.verify(text)
    assert "affine.parallel" in text and f"{target}." in text and "torch." not in text


def _without_a_chosen_python(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HELION_MLIR_PYTHON", "VIRTUAL_ENV")}
    return {**env, "PATH": "/usr/bin:/bin", **extra}


@needs_torch_mlir
@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python3").exists(), reason="needs the checkout's .venv (make setup)")
def test_the_tool_in_the_build_tree_finds_the_checkouts_venv(tmp_path):
    """helion-mlir run from build/bin, with no HELION_MLIR_PYTHON and no virtual environment active,
    uses the .venv that `make setup` made, not a python3 on the PATH that lacks torch-mlir."""
    out = tmp_path / "out.mlir"
    proc = subprocess.run([str(TOOL), str(ROOT / "test" / "fixtures" / "softmax.json"), "--aten=tosa", "-o", str(out)],
                          capture_output=True, text=True, env=_without_a_chosen_python())
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert "tosa." in out.read_text()


@needs_torch_mlir
def test_the_tool_uses_the_active_virtual_environment(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    marker = tmp_path / "ran"
    (venv / "bin" / "python3").write_text(f"#!/bin/sh\ntouch {marker}\nexec {sys.executable} \"$@\"\n")
    (venv / "bin" / "python3").chmod(0o755)
    out = tmp_path / "out.mlir"
    proc = subprocess.run([str(TOOL), str(ROOT / "test" / "fixtures" / "softmax.json"), "--aten=tosa", "-o", str(out)],
                          capture_output=True, text=True, env=_without_a_chosen_python(VIRTUAL_ENV=str(venv)))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert marker.exists() and "tosa." in out.read_text()


@needs_torch_mlir
def test_the_tool_reports_an_op_torch_mlir_cannot_convert_in_one_line(tmp_path):
    out = tmp_path / "out.mlir"
    proc = _tool(str(ROOT / "test" / "fixtures" / "tile_identities.json"), "--aten=tosa", "-o", str(out))
    assert proc.returncode == 1
    assert proc.stderr == f"helion-mlir: error: {_cannot_convert_line('tosa', 'tile_identities')}\n"
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_bridge_without_torch_mlir_says_so_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(torch_mlir_bridge, "unavailable", lambda: "torch-mlir is not installed (test)")
    assert torch_mlir_bridge.main(["--target", "tosa"]) == 1
    err = capsys.readouterr().err
    assert err == f"--aten=tosa needs torch-mlir in {sys.executable}: torch-mlir is not installed (test)\n"


def test_committed_irdl_is_what_the_generator_writes():
    proc = subprocess.run([sys.executable, "-c", "import runpy, sys; sys.argv = ['gen']; "
                           "g = runpy.run_path('scripts/gen-torch-irdl'); print(g['generate'](), end='')"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (ROOT / "dialects" / "torch.irdl.mlir").read_text(), \
        "dialects/torch.irdl.mlir is stale: run scripts/gen-torch-irdl"


def test_list_types_are_carried_in_torch_mlirs_spelling():
    ours = '%l = "torch.prim.ListConstruct"(%i) : (!torch.int) -> !torch.list<!torch.int>'
    assert torch_mlir_bridge.to_torch_mlir(ours) == \
        '%l = "torch.prim.ListConstruct"(%i) : (!torch.int) -> !torch.list<int>'


@needs_torch_mlir
def test_a_module_torch_mlir_rejects_is_reported():
    bad = ('func.func @f(%a: tensor<4xf32>) {\n'
           '  %t = "torch_c.from_builtin_tensor"(%a) : (tensor<4xf32>) -> !torch.vtensor<[4], f32>\n'
           '  %e = "torch.aten.exp"(%t, %t) : (!torch.vtensor<[4], f32>, !torch.vtensor<[4], f32>) '
           '-> !torch.vtensor<[4], f32>\n'
           '  return\n}\n')
    with pytest.raises(torch_mlir_bridge.TorchMlirError, match="torch-mlir"):
        torch_mlir_bridge.verify(bad)
