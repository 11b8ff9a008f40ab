"""--aten=torch modules in torch-mlir: verified by its torch dialect, lowered by its pipelines.

torch-mlir (the `torch-mlir` wheel, optional: `make setup` installs the pinned one) bundles its own
MLIR, newer than Debian's MLIR 22 that the library is built on, so modules travel between the two as
text. Both directions parse as printed, with one exception in ours: MLIR 22's IRDL prints a list
type's element in full, `!torch.list<!torch.int>`, which torch-mlir's parser only takes in its own
short spelling, `!torch.list<int>` (`to_torch_mlir`). What torch-mlir's lowering prints back is
upstream dialects only (linalg, tensor, arith, ...), which MLIR 22 reads unchanged.
"""

from __future__ import annotations

import functools

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


@functools.cache
def linalg_pipeline() -> str:
    """torch-mlir's lowering to linalg on tensors: its simplification pipeline (decompositions such
    as amax into max.dim, shape and dtype refinement), then its linalg backend pipeline without the
    closing `torch-verify-linalg-on-tensors-backend-contract`. That check wants a whole program on
    tensors, and a kernel's function takes memrefs and keeps its affine loops and memref accesses
    around the torch ops; `lower_to_linalg` checks instead that no torch op or type is left."""
    simplify = _pipeline("torch-simplification-pipeline")
    backend = _pipeline("torch-backend-to-linalg-on-tensors-backend-pipeline")
    contract = ",torch-verify-linalg-on-tensors-backend-contract)"
    if not backend.endswith(contract):
        raise TorchMlirError(f"torch-mlir's linalg backend pipeline changed: {backend}")
    inner = lambda p: p[len("builtin.module("):-1]  # noqa: E731
    return f"builtin.module({inner(simplify)},{inner(backend[:-len(contract)] + ')')})"


def _parse(text: str):
    """The module in a new torch-mlir context (which the caller enters and keeps alive)."""
    from torch_mlir import ir, passmanager
    import torch_mlir.dialects.torch as torch_dialect

    context = ir.Context()
    with context, ir.Location.unknown():
        torch_dialect.register_dialect(context)
        # torch_c has no Python registration; running a pipeline that depends on it loads it.
        passmanager.PassManager.parse(
            "builtin.module(torch-backend-to-linalg-on-tensors-backend-pipeline)").run(
            ir.Module.create().operation)
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


def lower_to_linalg(text: str) -> str:
    """`text` with its torch ops lowered by torch-mlir (`linalg_pipeline`), printed for MLIR 22."""
    from torch_mlir import ir, passmanager

    pipeline = linalg_pipeline()
    context, module = _parse(text)
    with context:
        try:
            passmanager.PassManager.parse(pipeline).run(module.operation)
        except ir.MLIRError as e:
            raise TorchMlirError(f"torch-mlir's lowering failed: {e}") from None
        left = []

        def visit(op):
            if op.name.startswith(("torch.", "torch_c.")):
                left.append(op.name)
            return ir.WalkResult.ADVANCE

        module.operation.walk(visit)
        if left:
            raise TorchMlirError(f"torch-mlir's lowering left torch ops: {', '.join(sorted(set(left)))}")
        return str(module)


__all__ = ["TorchMlirError", "unavailable", "to_torch_mlir", "linalg_pipeline", "verify", "lower_to_linalg"]
