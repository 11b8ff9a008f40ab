"""`python -m helion2json`: capture one kernel to an interchange JSON file."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import re
import sys
from typing import Any

from .errors import CaptureError

# The kernel name becomes an MLIR symbol, so it must be one without quoting.
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_$.]*")


def load_entry(entry: str) -> tuple[Any, dict]:
    """Resolve FILE.py:function or module:function to (kernel, the module's namespace)."""
    import helion

    target, sep, func = entry.rpartition(":")
    if not sep or not target or not func:
        raise CaptureError(f"--entry {entry!r}: expected FILE.py:function or module:function")
    if target.endswith(".py"):
        if not os.path.isfile(target):
            raise CaptureError(f"--entry {entry!r}: no such file {target}")
        name = "_helion2json_entry_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(target))[0])
        spec = importlib.util.spec_from_file_location(name, target)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        # The kernel file may import modules that sit beside it.
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            raise CaptureError(f"--entry {entry!r}: importing {target} failed: {type(e).__name__}: {e}") from None
    else:
        try:
            module = importlib.import_module(target)
        except Exception as e:
            raise CaptureError(f"--entry {entry!r}: cannot import module {target}: {type(e).__name__}: {e}") from None
    kernel = getattr(module, func, None)
    if kernel is None:
        raise CaptureError(f"--entry {entry!r}: {target} has no attribute {func!r}")
    if not isinstance(kernel, helion.Kernel):
        raise CaptureError(f"--entry {entry!r}: {func} is a {type(kernel).__name__}, not a @helion.kernel")
    return kernel, vars(module)


def eval_args(exprs: list[str], namespace: dict) -> list[object]:
    """Evaluate each --arg in the kernel module's namespace, with `torch` always in scope."""
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


class _Parser(argparse.ArgumentParser):
    """Usage errors are capture errors too: one line on stderr and exit status 1."""

    def error(self, message: str) -> None:
        raise CaptureError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m helion2json",
                description="Capture a Helion kernel's Device IR as interchange JSON (docs/interchange.md).")
    p.add_argument("--entry", required=True, metavar="FILE.py:FUNCTION", help="FILE.py:function or module:function")
    p.add_argument("--arg", action="append", default=[], metavar="EXPR",
                   help="an example argument, a Python expression evaluated in the kernel module's namespace "
                        "(repeat once per kernel argument, in order)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--config", metavar="JSON", help="a Helion config as a JSON object")
    group.add_argument("--default-config", action="store_true",
                       help="use the kernel's default config (what happens without --config)")
    p.add_argument("--module-name", metavar="NAME", help="the kernel name written into the spec "
                                                          "(default: the function's name)")
    p.add_argument("--out", "-o", default="-", metavar="PATH", help="output path, or - for stdout (default)")
    p.add_argument("--indent", type=int, default=2, metavar="N",
                   help="JSON indentation; 0 writes one line (default 2)")
    return p


def run(argv: list[str] | None) -> None:
    args = build_parser().parse_args(argv)
    if args.module_name is not None and not _NAME_RE.fullmatch(args.module_name):
        raise CaptureError(f"--module-name {args.module_name!r}: expected a name such as my_kernel "
                           "(letters, digits, _, $ and ., not starting with a digit)")
    if not 0 <= args.indent <= 16:
        raise CaptureError(f"--indent {args.indent}: expected 0 to 16")

    import torch

    from .capture import export_kernel, write_spec

    # Example arguments are random: a fixed seed makes a capture reproducible byte for byte.
    torch.manual_seed(0)
    kernel, namespace = load_entry(args.entry)
    values = eval_args(args.arg, namespace)
    spec = export_kernel(kernel, values, parse_config(args.config))
    if args.module_name:
        spec["kernel"]["name"] = args.module_name
    indent = args.indent or None
    if args.out == "-":
        sys.stdout.write(json.dumps(spec, indent=indent) + "\n")
    else:
        write_spec(spec, args.out, indent)


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    try:
        run(argv)
    except CaptureError as e:
        print(f"helion2json: error: {_one_line(str(e))}", file=sys.stderr)
        return 1
    except Exception as e:  # a bug in the capture itself: still one line, naming the exception
        print(f"helion2json: error: internal error: {type(e).__name__}: {_one_line(str(e))}", file=sys.stderr)
        return 1
    return 0
