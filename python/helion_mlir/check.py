"""`python -m helion_mlir check`: capture a kernel, lower it, verify the MLIR, run it on the CPU and
compare with a reference; one summary line, exit status 0 only when everything matched."""

from __future__ import annotations

import argparse
import copy
import importlib
import math
import os
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import torch

from helion2json import CaptureError, export_kernel
from helion2json.cli import eval_args, load_entry, parse_config

from . import torch_mlir_bridge
from ._lib import HelionMlirError
from .api import _Compiled
from .backend import as_mlir_kernel
from .kernel import ATEN_MODES, compile_mlir, generate_spec_mlir, verify_mlir

# (rtol, atol) when none is given: torch.testing's defaults for the output dtype.
DEFAULT_TOLERANCES = {
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
}


class StageFailed(Exception):
    """A stage of the check failed; the message is what the summary line says about it."""


class UsageError(Exception):
    """A bad command line: reported as one line, exit status 1, as every tool here does."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        raise UsageError(f"{self.prog}: error: {message}")


def _tolerance(text: str) -> float:
    """A tolerance: a finite number >= 0 (torch.allclose refuses the others with a traceback, and an
    infinite one would make every comparison match)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m helion_mlir", description="Helion kernels through MLIR on the CPU.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser("check", help="capture, lower, verify and run a kernel; compare with a reference")
    c.add_argument("--entry", required=True, help="the kernel: FILE.py:function or module:function")
    c.add_argument("--arg", action="append", default=[], metavar="EXPR",
                   help="an argument, evaluated in the kernel module's namespace (repeat per argument)")
    c.add_argument("--config", metavar="JSON", help="a Helion config as a JSON object")
    c.add_argument("--ref", metavar="FILE.py:function",
                   help="a torch function computing the expected outputs (default: the kernel in "
                        "Helion's interpreter, HELION_INTERPRET=1, in a subprocess)")
    c.add_argument("--rtol", type=_tolerance, help="relative tolerance (default: by output dtype)")
    c.add_argument("--atol", type=_tolerance, help="absolute tolerance (default: by output dtype)")
    c.add_argument("--aten", choices=list(ATEN_MODES), default="linalg",
                   help="the output type of the ATen compute (default linalg); the torch-mlir ones are "
                        "verified by torch-mlir and lowered on to linalg by it to run")
    c.add_argument("--backend", action="store_true",
                   help="also call the kernel directly under Helion's backend \"mlir\" (its host code "
                        "run by Helion) and compare that with the same reference")
    return p


def _as_tuple(result: object) -> tuple:
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def load_reference(entry: str) -> Callable[..., Any]:
    """FILE.py:function or module:function; unlike the kernel, any callable."""
    target, sep, name = entry.rpartition(":")
    if not sep or not target or not name:
        raise StageFailed(f"--ref {entry!r}: expected FILE.py:function or module:function")
    try:
        namespace = runpy.run_path(target) if target.endswith(".py") else \
            vars(importlib.import_module(target))
    except Exception as e:
        raise StageFailed(f"--ref {entry!r}: loading {target} failed: {type(e).__name__}: {e}") from None
    fn = namespace.get(name)
    if not callable(fn):
        raise StageFailed(f"--ref {entry!r}: {target} has no function {name!r}")
    return fn


def interpreter_reference(entry: str, args: list) -> tuple:
    """The kernel run by Helion's interpreter in a fresh process (see _reference.py)."""
    package_root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="helion_mlir_ref") as tmp:
        inputs, outputs = os.path.join(tmp, "inputs.pt"), os.path.join(tmp, "outputs.pt")
        torch.save(args, inputs)
        proc = subprocess.run([sys.executable, "-m", "helion_mlir._reference", entry, inputs, outputs],
                              env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines()
            raise StageFailed("the interpreter failed: " + (lines[-1] if lines else f"exit {proc.returncode}"))
        return torch.load(outputs)


def _max_abs_error(actual: torch.Tensor, expected: torch.Tensor) -> float:
    if actual.numel() == 0:
        return 0.0
    diff = (actual.double() - expected.double()).abs()
    both_nan = actual.isnan() & expected.isnan() if actual.is_floating_point() else None
    if both_nan is not None:
        diff = torch.where(both_nan, torch.zeros_like(diff), diff)
    return float(diff.max())


def compare(outputs: tuple, expected: tuple, rtol: float | None, atol: float | None) -> tuple[float, str | None]:
    """(max abs error over all outputs, the first mismatch or None)."""
    if len(outputs) != len(expected):
        return float("nan"), f"{len(outputs)} outputs, the reference returned {len(expected)}"
    worst, problem = 0.0, None
    for i, (out, ref) in enumerate(zip(outputs, expected)):
        if not isinstance(ref, torch.Tensor) or out.shape != ref.shape or out.dtype != ref.dtype:
            what = f"{tuple(ref.shape)} {ref.dtype}" if isinstance(ref, torch.Tensor) else type(ref).__name__
            return float("nan"), f"output {i} is {tuple(out.shape)} {out.dtype}, the reference's {what}"
        worst = max(worst, _max_abs_error(out, ref))
        default_rtol, default_atol = DEFAULT_TOLERANCES.get(out.dtype, (0.0, 0.0))
        r = default_rtol if rtol is None else rtol
        a = default_atol if atol is None else atol
        if problem is None and not torch.allclose(out.double(), ref.double(), rtol=r, atol=a, equal_nan=True):
            problem = f"output {i} differs beyond rtol {r:g}, atol {a:g}"
    return worst, problem


def expected_outputs(opts: argparse.Namespace, args: list) -> tuple:
    if not opts.ref:
        return interpreter_reference(opts.entry, args)
    reference = load_reference(opts.ref)
    try:
        return _as_tuple(reference(*args))
    except Exception as e:
        raise StageFailed(f"{opts.ref} raised {type(e).__name__}: {e}") from None


def _verify(text: str, aten: str) -> None:
    """The "verified" stage: ours in MLIR 22, the torch-mlir output types in torch-mlir."""
    if aten == "linalg":
        verify_mlir(text)
        return
    why = torch_mlir_bridge.unavailable()
    if why is not None:
        raise StageFailed(why)
    torch_mlir_bridge.verify(text)


def _compile(spec: dict, text: str, aten: str) -> _Compiled:
    """The "ran" stage's kernel: the spec's own lowering, or `text` lowered on to linalg by torch-mlir."""
    if aten == "linalg":
        return _Compiled(spec)
    linalg = torch_mlir_bridge.lower_to_linalg(text) if aten == "torch" else torch_mlir_bridge.to_linalg(text, aten)
    return _Compiled(spec, compile_mlir(linalg, spec["kernel"]["name"]))


def check(opts: argparse.Namespace, cache: dict | None = None) -> tuple[list[str], bool]:
    """The summary's parts, stage by stage, and whether everything matched. A caller checking one
    case several ways (each output type) passes the same `cache`, so the capture (a second of Helion's
    binding) and the reference (maybe Helion's interpreter, seconds in a subprocess) run once."""
    cache = {} if cache is None else cache
    try:
        if "capture" not in cache:
            torch.manual_seed(0)
            kernel, namespace = load_entry(opts.entry)
            args = eval_args(opts.arg, namespace)
            cache["capture"] = kernel, args, export_kernel(kernel, args, parse_config(opts.config))
        kernel, args, spec = cache["capture"]
    except CaptureError as e:
        return [f"capture failed: {e}"], False
    parts = [spec["kernel"]["name"] + ":"]
    try:
        parts.append("lowered")
        text = generate_spec_mlir(spec, aten=opts.aten)
        parts.append("verified")
        _verify(text, opts.aten)
        parts.append("ran")
        # Copies, because a kernel may write into its arguments.
        outputs = _as_tuple(_compile(spec, text, opts.aten)(tuple(copy.deepcopy(args))))
        parts.append("reference")
        if "expected" not in cache:
            cache["expected"] = expected_outputs(opts, copy.deepcopy(args))
        expected = cache["expected"]
    except (HelionMlirError, torch_mlir_bridge.TorchMlirError, StageFailed, ValueError, TypeError) as e:
        parts[-1] = f"{parts[-1]} FAILED: {e}"
        return parts, False
    error, problem = compare(outputs, expected, opts.rtol, opts.atol)
    parts[-1] = f"max abs error {error:.3g}"
    if opts.backend and problem is None:
        parts.append("backend")
        try:
            backend_kernel = as_mlir_kernel(kernel, parse_config(opts.config))
            outputs = _as_tuple(backend_kernel(*copy.deepcopy(args)))
        except Exception as e:  # whatever Helion's host code or our launcher raised, as one line
            parts[-1] = f"backend FAILED: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
            return parts, False
        error, problem = compare(outputs, expected, opts.rtol, opts.atol)
        parts[-1] = f"backend max abs error {error:.3g}"
    parts.append(f"MISMATCH: {problem}" if problem else "match")
    return parts, problem is None


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    try:
        opts = build_parser().parse_args(argv)
    except UsageError as e:
        print(_one_line(str(e)), file=sys.stderr)
        return 1
    try:
        parts, ok = check(opts)
    except Exception as e:  # a stage raised what it should have reported: still one line, naming it
        parts, ok = [f"internal error: {type(e).__name__}: {e}"], False
    print(_one_line(parts[0] if len(parts) == 1 else f"{parts[0]} {', '.join(parts[1:])}"))
    return 0 if ok else 1
