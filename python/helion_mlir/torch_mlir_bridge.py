"""--aten=torch modules in torch-mlir: verified by its torch dialect, lowered by its pipelines.

torch-mlir (the `torch-mlir` wheel, optional: `make setup` installs the pinned one) bundles its own
MLIR, newer than Debian's MLIR 22 that the library is built on, so modules travel between the two as
text. Both directions parse as printed, with one exception in ours: MLIR 22's IRDL prints a list
type's element in full, `!torch.list<!torch.int>`, which torch-mlir's parser only takes in its own
short spelling, `!torch.list<int>` (`to_torch_mlir`). What torch-mlir's lowering prints back is
upstream dialects only (linalg, tensor, arith, ...), which MLIR 22 reads unchanged.

`convert` makes the other output types of `helion-mlir --aten=`: torch-mlir's TOSA or StableHLO
backend pipeline converts the torch ops, and the tile loops, slices and our dialects around them stay.
Run as a program (`python torch_mlir_bridge.py --target tosa < torch.mlir`), it is what the C tool
`helion-mlir --aten=tosa|stablehlo` calls: the module on stdin, the converted one on stdout, or one
error line on stderr and exit status 1. It imports nothing of helion_mlir, so that call does not pay
for importing torch.
"""

from __future__ import annotations

import functools
import re
import sys

# Type spellings MLIR 22 prints for the IRDL torch dialect, and torch-mlir's for the same types.
_SPELLINGS = {"!torch.list<!torch.int>": "!torch.list<int>"}


class TorchMlirError(Exception):
    """torch-mlir rejected a module, or left torch ops in it."""


def unavailable() -> str | None:
    """Why torch-mlir cannot be used here, or None when it can."""
    try:
        import torch_mlir.dialects.torch  # noqa: F401
    except ImportError as e:
        return f"torch-mlir is not installed ({e}); `make setup` installs the pinned version"
    return None


def to_torch_mlir(text: str) -> str:
    """Our printed module in the spelling torch-mlir's parser takes."""
    for ours, theirs in _SPELLINGS.items():
        text = text.replace(ours, theirs)
    return text


def _pipeline(name: str) -> str:
    from torch_mlir import ir, passmanager

    with ir.Context():
        import torch_mlir.dialects.torch as torch_dialect  # registers torch-mlir's passes

        del torch_dialect
        return str(passmanager.PassManager.parse(f"builtin.module({name})"))


# The output types `convert` makes, each torch-mlir's name of its backend.
TARGETS = ("tosa", "stablehlo")


@functools.cache
def _register_stablehlo_passes() -> None:
    """torch-mlir's StableHLO pipeline runs `chlo-legalize-to-stablehlo`, which the Python bindings
    only know by name once the wheel's StableHLO extension has registered its passes."""
    from torch_mlir._mlir_libs import _stablehlo

    _stablehlo.register_stablehlo_passes()


@functools.cache
def backend_pipeline(backend: str) -> str:
    """torch-mlir's lowering to `backend` ("linalg-on-tensors", "tosa", "stablehlo"): its
    simplification pipeline (decompositions such as amax into max.dim, shape and dtype refinement),
    then its backend pipeline without `torch-verify-<backend>-backend-contract`. That check wants a
    whole program on tensors, and a kernel's function takes memrefs and keeps its affine loops and
    memref accesses around the torch ops; `_check_converted` checks instead that no torch op is left."""
    if backend == "stablehlo":
        _register_stablehlo_passes()
    simplify = _pipeline("torch-simplification-pipeline")
    full = _pipeline(f"torch-backend-to-{backend}-backend-pipeline")
    contract = f",torch-verify-{backend}-backend-contract"
    if full.count(contract) != 1:
        raise TorchMlirError(f"torch-mlir's {backend} backend pipeline changed: {full}")
    inner = lambda p: p[len("builtin.module("):-1]  # noqa: E731
    return f"builtin.module({inner(simplify)},{inner(full.replace(contract, ''))})"


def linalg_pipeline() -> str:
    """torch-mlir's lowering to linalg on tensors (`backend_pipeline`)."""
    return backend_pipeline("linalg-on-tensors")


def _parse(text: str):
    """The module in a new torch-mlir context (which the caller enters and keeps alive)."""
    from torch_mlir import ir, passmanager
    import torch_mlir.dialects.torch as torch_dialect

    context = ir.Context()
    # Our own dialects (loom's symbolic tile sizes, helion.phi) pass through torch-mlir unread.
    context.allow_unregistered_dialects = True
    with context, ir.Location.unknown():
        torch_dialect.register_dialect(context)
        # torch_c has no Python registration; running a pipeline that depends on it loads it.
        passmanager.PassManager.parse(
            "builtin.module(torch-backend-to-linalg-on-tensors-backend-pipeline)").run(
            ir.Module.create().operation)
        from torch_mlir._mlir_libs import _stablehlo

        # The wheel's StableHLO extension: a converted module parses again (`to_linalg`).
        _stablehlo.register_dialect(context)
        try:
            module = ir.Module.parse(to_torch_mlir(text))
        except ir.MLIRError as e:
            raise TorchMlirError(f"torch-mlir cannot parse the module: {e}") from None
    return context, module


def verify(text: str) -> None:
    """Raises TorchMlirError unless torch-mlir parses and verifies `text`."""
    from torch_mlir import ir

    context, module = _parse(text)
    with context:
        try:
            module.operation.verify()
        except ir.MLIRError as e:
            raise TorchMlirError(f"torch-mlir does not verify the module: {e}") from None


def _ops_left(module, prefixes: tuple[str, ...]) -> list:
    """The ops of `module` whose names start with one of `prefixes`, in order."""
    from torch_mlir import ir

    left = []

    def visit(op):
        if op.name.startswith(prefixes):
            left.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return left


def _run(module, pipeline: str, into: str) -> None:
    from torch_mlir import ir, passmanager

    try:
        passmanager.PassManager.parse(pipeline).run(module.operation)
    except ir.MLIRError as e:
        raise TorchMlirError(_located(e, f"torch-mlir's conversion to {into} failed", into)) from None


def lower_to_linalg(text: str) -> str:
    """`text` with its torch ops lowered by torch-mlir (`linalg_pipeline`), printed for MLIR 22."""
    context, module = _parse(text)
    with context:
        _run(module, linalg_pipeline(), "linalg")
        left = _ops_left(module, ("torch.", "torch_c."))
        if left:
            raise TorchMlirError(f"torch-mlir's lowering left torch ops: {', '.join(sorted({o.name for o in left}))}")
        return str(module)


# A location as our lowering makes it, `"node"("file":line:col)`, and a bare `"file":line:col`.
_NODE_LOC = re.compile(r'"((?:[^"\\]|\\.)*)"\("((?:[^"\\]|\\.)*)":(\d+):\d+\)')
_FILE_LOC = re.compile(r'"((?:[^"\\]|\\.)*)":(\d+):\d+')
_ILLEGAL = re.compile(r"failed to legalize operation '([\w.]+)'")


def _where(location) -> tuple[str, str | None]:
    """`file:line` and the node name of a location torch-mlir kept from ours (the first one, for a
    fused location), or the location as printed when it is none of ours."""
    text = str(location)
    m = _NODE_LOC.search(text)
    if m:
        return f"{m.group(2)}:{m.group(3)}", m.group(1)
    m = _FILE_LOC.search(text)
    if m and m.group(1) == "-":  # a module printed without our locations: its own line
        return f"line {m.group(2)} of the module", None
    return (f"{m.group(1)}:{m.group(2)}", None) if m else (text, None)


def _of_node(node: str | None) -> str:
    return f" (node '{node}')" if node else ""


def _located(error, failed: str, into: str) -> str:
    """One line for torch-mlir's first error, at the kernel source line and node it names: "cannot
    convert" and the op for an op its conversion to `into` left illegal, else `failed` and the
    message."""
    diagnostics = getattr(error, "error_diagnostics", None) or []
    if not diagnostics:
        return f"{failed}: {str(error).strip().splitlines()[-1]}"
    first = diagnostics[0]
    where, node = _where(first.location)
    message = first.message.splitlines()[0]
    illegal = _ILLEGAL.search(message)
    if illegal:
        return f"{where}: torch-mlir cannot convert '{illegal.group(1)}' to {into}{_of_node(node)}"
    return f"{where}: {failed}: {message.split(': %')[0]}{_of_node(node)}"


def _check_converted(module, target: str) -> None:
    """What the skipped backend contract would refuse inside the compute: a torch op (or, for
    StableHLO, a chlo op) that the pipeline left."""
    prefixes = ("torch.", "torch_c.") + (("chlo.",) if target == "stablehlo" else ())
    left = _ops_left(module, prefixes)
    if left:
        where, node = _where(left[0].location)
        raise TorchMlirError(f"{where}: torch-mlir cannot convert '{left[0].name}' to {target}{_of_node(node)}")


def convert(text: str, target: str) -> str:
    """The torch-mode module `text` with its torch ops converted to `target` ("tosa", "stablehlo")
    by torch-mlir's backend pipeline for it (`backend_pipeline`), verified in torch-mlir, printed
    without locations. `text` should carry our locations (`hm_capi_generate_mlir` with locations):
    an op torch-mlir cannot convert is then one TorchMlirError line naming the op, the kernel source
    line and the node."""
    if target not in TARGETS:
        raise ValueError(f"target={target!r}: expected one of {list(TARGETS)}")
    from torch_mlir import ir

    context, module = _parse(text)
    with context:
        try:
            module.operation.verify()
        except ir.MLIRError as e:
            raise TorchMlirError(_located(e, "torch-mlir does not verify the module", target)) from None
        _run(module, backend_pipeline(target), target)
        _check_converted(module, target)
        return str(module)


# TOSA and StableHLO on to linalg on tensors, with torch-mlir's upstream passes: what our JIT runs.
_TO_LINALG = {
    "tosa": "builtin.module(tosa-to-linalg-pipeline,func.func(tosa-to-tensor,tosa-to-arith),canonicalize)",
    "stablehlo": "builtin.module(stablehlo-legalize-to-linalg)",
}


def to_linalg(text: str, target: str) -> str:
    """A `convert`ed module lowered to linalg on tensors, printed for MLIR 22."""
    if target == "stablehlo":
        _register_stablehlo_passes()
    context, module = _parse(text)
    with context:
        _run(module, _TO_LINALG[target], f"linalg (from {target})")
        left = _ops_left(module, ("tosa.", "stablehlo.", "chlo."))
        if left:
            raise TorchMlirError(f"the {target} lowering to linalg left {', '.join(sorted({o.name for o in left}))}")
        return str(module)


def main(argv: list[str] | None = None) -> int:
    """`helion-mlir --aten=tosa|stablehlo`'s half in Python: stdin to stdout, or one error line."""
    import argparse

    p = argparse.ArgumentParser(prog="torch_mlir_bridge", description=main.__doc__)
    p.add_argument("--target", choices=TARGETS, required=True)
    opts = p.parse_args(argv)
    why = unavailable()
    if why is not None:
        print(f"--aten={opts.target} needs torch-mlir in {sys.executable}: {why}", file=sys.stderr)
        return 1
    try:
        sys.stdout.buffer.write(convert(sys.stdin.buffer.read().decode(), opts.target).encode())
    except TorchMlirError as e:
        print(str(e).replace("\n", " "), file=sys.stderr)
        return 1
    return 0


__all__ = ["TorchMlirError", "TARGETS", "unavailable", "to_torch_mlir", "backend_pipeline", "linalg_pipeline", "verify",
           "lower_to_linalg", "convert", "to_linalg", "main"]

if __name__ == "__main__":
    sys.exit(main())
