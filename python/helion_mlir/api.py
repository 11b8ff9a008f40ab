"""Helion kernels in, MLIR text or CPU results out."""

from __future__ import annotations

import inspect
import json
from typing import Any, Sequence

import torch

from helion2json import export_kernel

from .kernel import Kernel, compile_spec, generate_spec_mlir, _check_tensor
from ._extents import IndexedExtents
from ._lib import HelionMlirError
from ._sizes import SizeExpr

_TORCH_DTYPES = {
    "float64": torch.float64, "float32": torch.float32, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "int64": torch.int64, "int32": torch.int32, "int16": torch.int16,
    "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool,
    "float8_e4m3fn": torch.float8_e4m3fn, "float8_e5m2": torch.float8_e5m2,
}


def generate_mlir(kernel: Any, args: Sequence[object], config: object = None,
                  tiles: str = "concrete", aten: str = "linalg") -> str:
    """The MLIR of `kernel` bound to the example `args`: tile sizes as constants from the config
    (tiles="concrete") or as `loom.get_symbol` values (tiles="symbolic"); the ATen compute as
    linalg (aten="linalg"), torch-mlir's torch dialect ("torch"), or that converted by torch-mlir
    to TOSA ("tosa") or StableHLO ("stablehlo") inside the same tile loops."""
    return generate_spec_mlir(export_kernel(kernel, args, config), tiles, aten)


class _Compiled:
    """A kernel compiled for one set of argument shapes and dtypes, with what the spec says about
    the buffers around it. `kernel` replaces the spec's own lowering with another compiled from it
    (torch-mlir's lowering of the torch-mode module, in the tests)."""

    def __init__(self, spec: dict, kernel: Kernel | None = None) -> None:
        self.kernel: Kernel = kernel or compile_spec(spec)
        self.host_tensors = spec["host_tensors"]
        sizes = {s["name"]: s["value"] for s in spec["symbols"] if s["value"] is not None}
        # Each host-allocated tensor's sizes, read once: at a call a symbolic size is evaluated.
        self.dims = {t["name"]: [SizeExpr(d) if isinstance(d, str) else d for d in t["shape"]]
                     for t in self.host_tensors if t["source"] == "allocated"}
        self.allocated = {t["name"]: self._shape(t["name"], sizes) for t in self.host_tensors
                          if t["source"] == "allocated"}
        names = {t["name"] for t in self.host_tensors}
        missing = [o for o in spec["outputs"] if o not in names]
        if missing:
            raise HelionMlirError(f"the kernel returns {', '.join(missing)}, which the spec does "
                                  "not list as host tensors")
        self.outputs = spec["outputs"]
        self.scalars = [s["arg_index"] for s in spec["scalars"]]
        # static_shapes=False: host sizes are symbols, each read off an argument at every call.
        arg_of = {t["name"]: t["arg_index"] for t in self.host_tensors if t["source"] == "argument"}
        self.size_dims = {s["name"]: (arg_of[s["tensor"]], s["dim"]) for s in spec["symbols"]
                          if s["kind"] == "size" and s.get("tensor") in arg_of}
        self.extents = IndexedExtents(spec)

    def _shape(self, name: str, sizes: dict[str, int]) -> list[int]:
        """A host-allocated tensor's shape; symbolic sizes take the values in `sizes`."""
        shape = []
        for dim in self.dims[name]:
            value = dim.value(sizes) if isinstance(dim, SizeExpr) else dim
            if value is None:
                raise HelionMlirError(f"host tensor '{name}': size {dim.text} has no value")
            shape.append(value)
        return shape

    def _sizes(self, args: tuple) -> dict[str, int]:
        return {name: args[i].shape[d] for name, (i, d) in self.size_dims.items()}

    def __call__(self, args: tuple) -> torch.Tensor | tuple[torch.Tensor, ...] | None:
        buffers = {}
        sizes = self._sizes(args) if self.size_dims else {}
        for t in self.host_tensors:
            if t["source"] == "argument":
                buffers[t["name"]] = args[t["arg_index"]]
            else:
                shape = self._shape(t["name"], sizes) if sizes else self.allocated[t["name"]]
                # The host code's torch.zeros/full (the spec's fill) or torch.empty, in the layout
                # the module was compiled for (empty_like of a transposed argument is transposed).
                dtype = _TORCH_DTYPES[t["dtype"]]
                fill = t.get("fill")
                if isinstance(fill, dict):  # a non-finite float: {"float": "-inf"}
                    fill = float(fill["float"])
                stride = t["stride"]
                buffer = (torch.empty_strided(shape, stride, dtype=dtype)
                          if all(isinstance(s, int) for s in stride) else torch.empty(shape, dtype=dtype))
                buffers[t["name"]] = buffer if fill is None else buffer.fill_(fill)
        self.extents.check(buffers, sizes)
        self.kernel(*(buffers[t["name"]] for t in self.host_tensors), *(args[i] for i in self.scalars))
        outputs = tuple(buffers[name] for name in self.outputs)
        if not outputs:
            return None
        return outputs[0] if len(outputs) == 1 else outputs


_cache: dict[tuple, _Compiled] = {}


def _config_key(config: object) -> str | None:
    if config is None:
        return None
    return json.dumps(dict(config), sort_keys=True, default=str)


def _arg_key(arg: object, static_shapes: bool) -> tuple:
    if isinstance(arg, torch.Tensor):
        if static_shapes:
            return ("tensor", tuple(arg.shape), arg.dtype, arg.stride())
        # Helion specialises sizes 0 and 1 only; the module reads the others at run time.
        return ("tensor", tuple(min(size, 2) for size in arg.shape), arg.dtype)
    # A scalar the device code reads is a function argument, but Helion specialises some (an int
    # that sizes a tile, a bool that picks a branch) into the Device IR: values stay in the key.
    return (type(arg).__name__, arg)


def _check_args(kernel: Any, args: tuple) -> None:
    fn = getattr(kernel, "fn", None)
    if fn is None:
        raise TypeError(f"expected a @helion.kernel, got {type(kernel).__name__}")
    try:
        inspect.signature(fn).bind(*args)
    except TypeError as e:
        raise TypeError(f"{fn.__name__}(): {e}") from None
    for i, arg in enumerate(args):
        if isinstance(arg, torch.Tensor):
            _check_tensor(i, arg)
        elif not isinstance(arg, (bool, int, float)):
            raise TypeError(f"argument {i}: expected a tensor or a Python scalar, got "
                            f"{type(arg).__name__}")


def run(kernel: Any, args: Sequence[object], config: object = None) -> Any:
    """Runs `kernel` on CPU tensors through MLIR: the spec is captured, lowered and JIT-compiled
    once per (kernel, shapes, dtypes, strides, scalar values, config), then run in place on the
    arguments' memory. A kernel with static_shapes=False is compiled once for all sizes but 0 and 1,
    which Helion specialises. Returns the kernel's outputs: a tensor, or a tuple for a
    tuple-returning kernel."""
    args = tuple(args)
    _check_args(kernel, args)
    static_shapes = bool(kernel.settings.static_shapes)
    key = (kernel, tuple(_arg_key(a, static_shapes) for a in args), _config_key(config))
    compiled = _cache.get(key)
    if compiled is None:
        compiled = _Compiled(export_kernel(kernel, args, config))
        _cache[key] = compiled
    return compiled(args)
