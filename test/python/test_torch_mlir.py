"""--aten=torch output in torch-mlir: every fixture's module verifies with torch-mlir's own torch
dialect, and torch-mlir's lowering of it, run through our JIT, computes what our linalg lowering
computes on the same inputs. Where the two differ, the failure says which one PyTorch (Helion's
interpreter on the same inputs) agrees with. The tests that run torch-mlir are skipped, with the
reason, when it is not installed; `make setup` installs it."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import pytest
import torch

from helion2json.cli import eval_args
from helion2json.fixtures import TABLE, read_table
from helion_mlir import check, compile_mlir, torch_mlir_bridge, verify_mlir
from helion_mlir.api import _Compiled

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOL = ROOT / "build" / "bin" / "helion-mlir"
FIXTURES = read_table(str(ROOT / TABLE))

# Fixtures whose torch-mode module has no torch op, and why (the module is still checked).
NO_TORCH_OPS = {
    "gather_embedding": "it only loads and stores",
    "dot_acc": "hl.dot is a Helion op, lowered to linalg.matmul in both modes",
    "row_argmax_looped": "a looped argmax keeps its linalg form (docs/design.md)",
    "row_argmax_width1": "inductor folds an argmax over one element into the constant 0 (docs/design.md)",
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


@needs_torch_mlir
@pytest.mark.parametrize("name, argv", FIXTURES, ids=[name for name, _ in FIXTURES])
def test_torch_mlir_lowering_computes_what_ours_does(name, argv):
    spec = json.loads((ROOT / "test" / "fixtures" / f"{name}.json").read_text())
    lowered = torch_mlir_bridge.lower_to_linalg(_torch_mode(name))
    verify_mlir(lowered)  # what torch-mlir printed reads back into MLIR 22
    theirs = _Compiled(spec, compile_mlir(lowered, spec["kernel"]["name"]))
    ours = _Compiled(spec)

    torch.manual_seed(0)
    args = eval_args(_option(argv, "--arg"), {})
    expected_ours = _outputs(ours(tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)))
    expected_theirs = _outputs(theirs(tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)))
    differ = [i for i, (a, b) in enumerate(zip(expected_ours, expected_theirs)) if not _close(a, b)]
    if not differ:
        return
    reference = _outputs(check.interpreter_reference(_option(argv, "--entry")[0], list(args)))
    verdicts = []
    for i in differ:
        right = [who for who, out in (("ours", expected_ours[i]), ("torch-mlir's", expected_theirs[i]))
                 if _close(out, reference[i].to(out.dtype))]
        verdicts.append(f"output {i}: {' and '.join(right) or 'neither'} matches PyTorch")
    pytest.fail(f"{name}: torch-mlir's lowering and ours differ; " + "; ".join(verdicts))


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
