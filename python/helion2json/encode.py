"""Encoding of torch.fx values into the interchange's JSON forms (docs/interchange.md)."""

from __future__ import annotations

import math
import operator

import sympy
import torch

from .errors import CaptureError

DTYPE_NAMES = {
    torch.float64: "float64",
    torch.float32: "float32",
    torch.float16: "float16",
    torch.bfloat16: "bfloat16",
    torch.int64: "int64",
    torch.int32: "int32",
    torch.int16: "int16",
    torch.int8: "int8",
    torch.uint8: "uint8",
    torch.bool: "bool",
    torch.float8_e4m3fn: "float8_e4m3fn",
    torch.float8_e5m2: "float8_e5m2",
}

# Python scalars are 64-bit, so a symbolic scalar's dtype follows its kind.
SYM_DTYPES = {torch.SymInt: "int64", torch.SymFloat: "float64", torch.SymBool: "bool"}

SYM_TYPES = (torch.SymInt, torch.SymFloat, torch.SymBool)


def dtype_name(dtype: torch.dtype, where: str) -> str:
    try:
        return DTYPE_NAMES[dtype]
    except KeyError:
        raise CaptureError(f"{where}: dtype {dtype} is not supported by the interchange") from None


def sym_expr(value: object) -> sympy.Expr:
    """A symbolic value's expression, with the symbols the host code unified (`assert a.size(0) ==
    b.size(1)`) replaced as Helion's codegen replaces them."""
    if isinstance(value, SYM_TYPES):
        return value.node.shape_env.replace(value.node.expr)
    return sympy.sympify(value)


def encode_dim(dim: object) -> int | str:
    """A size is an int when static, else the sympy expression's text ("u0", "s77", "2*u1")."""
    if isinstance(dim, int):
        return dim
    expr = sym_expr(dim)
    if expr.is_Integer:
        return int(expr)
    return str(expr)


def target_name(target: object) -> str:
    """Full ATen overload name ("aten.addmm.default") or the Python qualified name of a Helion op."""
    if isinstance(target, torch._ops.OpOverload):
        return str(target)
    if isinstance(target, str):
        return target
    module = getattr(target, "__module__", None)
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", None)
    # Builtins such as operator.eq report their C module "_operator"; the spec names the public one.
    if module == "_operator" and getattr(operator, name, None) is target:
        module = "operator"
    if module and name:
        return f"{module}.{name}"
    return repr(target)


def encode_float(value: float) -> float | dict:
    if math.isfinite(value):
        return value
    return {"float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def encode_arg(value: object, where: str) -> object:
    """Encode a node argument: node references, constants, lists, dtypes, slices, symbols."""
    if isinstance(value, torch.fx.Node):
        return {"node": value.name}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return encode_float(value)
    if isinstance(value, (list, tuple)):
        return [encode_arg(item, where) for item in value]
    if isinstance(value, dict):
        return {"dict": {str(k): encode_arg(v, where) for k, v in value.items()}}
    if isinstance(value, torch.dtype):
        return {"dtype": dtype_name(value, where)}
    if isinstance(value, slice):
        return {"slice": [encode_arg(value.start, where), encode_arg(value.stop, where),
                          encode_arg(value.step, where)]}
    if isinstance(value, (*SYM_TYPES, sympy.Expr)):
        expr = sym_expr(value)
        if expr.is_Integer:
            return int(expr)
        return {"sym": str(expr)}
    if isinstance(value, torch.device):
        return {"device": str(value)}
    if isinstance(value, (torch.layout, torch.memory_format)):
        return {"enum": str(value)}
    raise CaptureError(f"{where}: argument of type {type(value).__name__} cannot be encoded")


def encode_val(value: object, where: str) -> dict:
    """Encode a node's result (meta['val']): tensor, symbolic scalar, constant, list, or none."""
    if isinstance(value, torch.Tensor):
        return {
            "type": "tensor",
            "shape": [encode_dim(d) for d in value.shape],
            "dtype": dtype_name(value.dtype, where),
        }
    if isinstance(value, SYM_TYPES):
        expr = sym_expr(value)
        if isinstance(value, torch.SymInt) and expr.is_Integer:
            return {"type": "int", "value": int(expr)}
        if isinstance(value, torch.SymFloat) and expr.is_number:
            return {"type": "float", "value": encode_float(float(expr))}
        if isinstance(value, torch.SymBool) and expr in (sympy.true, sympy.false):
            return {"type": "bool", "value": bool(expr)}
        return {"type": "sym", "expr": str(expr), "dtype": SYM_DTYPES[type(value)]}
    if value is None:
        return {"type": "none"}
    if isinstance(value, bool):
        return {"type": "bool", "value": value}
    if isinstance(value, int):
        return {"type": "int", "value": value}
    if isinstance(value, float):
        return {"type": "float", "value": encode_float(value)}
    if isinstance(value, (list, tuple)):
        return {"type": "list", "items": [encode_val(v, where) for v in value]}
    raise CaptureError(f"{where}: result of type {type(value).__name__} cannot be encoded")


def free_symbols(value: object) -> set[sympy.Symbol]:
    """Every sympy symbol in what encode_val / encode_arg write for `value` (a tensor's shape, not its strides)."""
    if isinstance(value, torch.Tensor):
        out: set[sympy.Symbol] = set()
        for d in value.shape:
            if not isinstance(d, int):
                out |= sym_expr(d).free_symbols
        return out
    if isinstance(value, (*SYM_TYPES, sympy.Expr)):
        return set(sym_expr(value).free_symbols)
    if isinstance(value, slice):
        return free_symbols([value.start, value.stop, value.step])
    if isinstance(value, dict):
        return free_symbols(list(value.values()))
    if isinstance(value, (list, tuple)):
        out = set()
        for v in value:
            out |= free_symbols(v)
        return out
    return set()
