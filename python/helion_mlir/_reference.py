"""Runs a kernel in Helion's eager interpreter on the CPU, for `python -m helion_mlir check`.

    python -m helion_mlir._reference FILE.py:function INPUTS.pt OUTPUTS.pt

HELION_INTERPRET=1 only takes effect when the kernel is decorated, so this runs in a fresh process
that sets it before importing the kernel's module. INPUTS.pt holds the argument list
(torch.save); OUTPUTS.pt receives the kernel's result as a tuple of tensors.
"""

from __future__ import annotations

import os
import sys

os.environ["HELION_INTERPRET"] = "1"

import torch  # noqa: E402  (after HELION_INTERPRET, which the kernel's decorator reads)


def _matmul_in(mm, a: torch.Tensor, b: torch.Tensor, out_dtype: torch.dtype | None) -> torch.Tensor:
    """mm/bmm with an out_dtype, which torch has no CPU kernel for: products of narrower floats are
    exact in the wider type, so converting first and multiplying there gives the same result."""
    if out_dtype is None or out_dtype == a.dtype:
        return mm(a, b)
    return mm(a.to(out_dtype), b.to(out_dtype))


def _out_dtype_call(mm):
    def call(args, kwargs):
        out_dtype = args[2] if len(args) > 2 else kwargs.get("out_dtype")
        return _matmul_in(mm, args[0], args[1], out_dtype)

    return call


def patch_interpreter_matmuls() -> None:
    """The interpreter rewrites torch.addmm/baddbmm into mm/bmm(..., out_dtype=acc.dtype), and
    kernels may call torch.bmm(a, b, torch.float32) themselves; neither has a CPU kernel in torch
    2.13. Both go through _matmul_in instead. Nothing is patched when Helion's ref mode no longer
    has these hooks."""
    from helion.runtime import ref_mode

    mode = getattr(ref_mode, "RefModeTorchFunctionMode", None)
    if mode is None or not hasattr(mode, "_handle_mm_with_bias"):
        return
    handle_mm_with_bias = mode._handle_mm_with_bias
    init = mode.__init__

    def patched_handle(self, args, kwargs, mm_func, op_name):
        return handle_mm_with_bias(self, args, kwargs,
                                   lambda a, b, out_dtype=None: _matmul_in(mm_func, a, b, out_dtype),
                                   op_name)

    def patched_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self._func_handlers[torch.mm] = _out_dtype_call(torch.mm)
        self._func_handlers[torch.bmm] = _out_dtype_call(torch.bmm)

    mode._handle_mm_with_bias = patched_handle
    mode.__init__ = patched_init


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m helion_mlir._reference FILE.py:function INPUTS.pt OUTPUTS.pt",
              file=sys.stderr)
        return 2
    entry, inputs_path, outputs_path = argv
    from helion2json.cli import load_entry
    from helion2json.errors import CaptureError

    patch_interpreter_matmuls()
    try:
        kernel, _ = load_entry(entry)
    except CaptureError as e:
        print(f"reference: {e}", file=sys.stderr)
        return 1
    args = torch.load(inputs_path)
    result = kernel(*args)
    torch.save(tuple(result) if isinstance(result, (tuple, list)) else (result,), outputs_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
