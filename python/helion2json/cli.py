"""`python -m helion2json`: capture one kernel to an interchange JSON file."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
from typing import Any

from .errors import CaptureError


def load_entry(entry: str) -> tuple[Any, dict]:
    """Resolve FILE.py:function or module:function to (kernel, the module's namespace)."""
    target, sep, func = entry.rpartition(":")
    if not sep or not target or not func:
        raise CaptureError(f"--entry {entry!r}: expected FILE.py:function or module:function")
    if target.endswith(".py"):
        if not os.path.isfile(target):
            raise CaptureError(f"--entry {entry!r}: no such file {target}")
        name = "_helion2json_entry_" + os.path.splitext(os.path.basename(target))[0]
        spec = importlib.util.spec_from_file_location(name, target)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            raise CaptureError(f"--entry {entry!r}: importing {target} failed: {type(e).__name__}: {e}") from None
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as e:
            raise CaptureError(f"--entry {entry!r}: cannot import module {target}: {e}") from None
    kernel = getattr(module, func, None)
    if kernel is None:
        raise CaptureError(f"--entry {entry!r}: {target} has no attribute {func!r}")
    if not hasattr(kernel, "bind"):
        raise CaptureError(f"--entry {entry!r}: {func} is not a @helion.kernel")
    return kernel, vars(module)


def eval_args(exprs: list[str], namespace: dict) -> list[object]:
    import torch

    scope = {"torch": torch, **namespace}
    values = []
    for i, expr in enumerate(exprs):
        try:
            values.append(eval(expr, scope))
        except Exception as e:
            raise CaptureError(f"--arg {i} ({expr!r}): {type(e).__name__}: {e}") from None
    return values


def parse_config(text: str | None) -> dict | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise CaptureError(f"--config: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    if not isinstance(value, dict):
        raise CaptureError("--config: expected a JSON object such as '{\"block_sizes\": [32, 32]}'")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m helion2json",
                                description="Capture a Helion kernel's Device IR as interchange JSON.")
    p.add_argument("--entry", required=True, help="FILE.py:function or module:function")
    p.add_argument("--arg", action="append", default=[], metavar="EXPR",
                   help="an example argument, evaluated in the kernel module's namespace (repeat per argument)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--config", metavar="JSON", help="a Helion config as a JSON object")
    group.add_argument("--default-config", action="store_true", help="use the default config (the default)")
    p.add_argument("--module-name", help="the kernel name written into the spec (default: the function's name)")
    p.add_argument("--out", "-o", default="-", help="output path, or - for stdout (default)")
    p.add_argument("--indent", type=int, default=2, help="JSON indentation (default 2)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .capture import export_kernel

    try:
        import torch

        torch.manual_seed(0)
        kernel, namespace = load_entry(args.entry)
        values = eval_args(args.arg, namespace)
        spec = export_kernel(kernel, values, parse_config(args.config))
        if args.module_name:
            spec["kernel"]["name"] = args.module_name
        text = json.dumps(spec, indent=args.indent if args.indent > 0 else None) + "\n"
    except CaptureError as e:
        print(f"helion2json: error: {e}", file=sys.stderr)
        return 1
    if args.out == "-":
        sys.stdout.write(text)
    else:
        tmp = f"{args.out}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, args.out)
    return 0
