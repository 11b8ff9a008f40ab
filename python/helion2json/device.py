"""The interchange spec of one device function, as Helion generates it for a backend.

`export_kernel` describes a kernel by its own arguments and replays its host code's allocations.
A backend runs Helion's host code instead, and the launcher receives the device function's
parameters: the tensors the host code computed (views, reshapes, fresh allocations alike), sizes and
strides, scalars. Here every such tensor is a spec argument whose `arg_index` is its position among
those parameters, so the spec stays the contract between the capture and the compiled module.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Sequence

import sympy
import torch

from . import encode
from .capture import _Exporter, _export_graphs, _Source
from .errors import CaptureError
from .schema import VERSION, validate_spec

TENSOR, SCALAR, DERIVED = "tensor", "scalar", "derived"


@dataclasses.dataclass(frozen=True)
class DeviceParam:
    """One parameter of the device function, in the launcher's order.

    kind TENSOR: `value` is its fake tensor. SCALAR: `value` is the sympy expression the host passes:
    a scalar argument's symbol, or an expression of input sizes (`x.size(0) - 1`), which the compiled
    module computes itself. DERIVED: a size or stride the compiled module reads off its memref
    arguments instead; `value` is unused. The launcher drops what the module computes."""

    kind: str
    name: str
    value: object = None


def _leaves(value: object):
    """The values inside a kernel argument: itself, or the items of a tuple, list or dict."""
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    else:
        yield value


def _scalar_type(symbol: sympy.Symbol, fake_args: dict) -> tuple[str, object]:
    """(interchange type, example value) of the scalar whose symbol this is: a kernel argument, an
    item of a tuple, list or dict argument, or a value the host code computed (`x.sum().item()`: an
    unbacked symbol, int or float by its name). The launcher passes its value either way."""
    from torch.utils._sympy.symbol import SymT, symbol_is_type

    for value in (v for arg in fake_args.values() for v in _leaves(arg)):
        if isinstance(value, encode.SYM_TYPES) and encode.sym_expr(value) == symbol:
            kind = {torch.SymFloat: "float", torch.SymInt: "int", torch.SymBool: "bool"}[type(value)]
            hint = value.node.hint
            break
    else:
        if symbol_is_type(symbol, SymT.UNBACKED_INT):
            kind, hint = "int", None
        elif symbol_is_type(symbol, SymT.UNBACKED_FLOAT):
            kind, hint = "float", None
        else:
            raise CaptureError(f"the device function takes the scalar {symbol}, which is no argument of the kernel")
    if hint is None:  # an unbacked float: one module serves every value (docs/interchange.md)
        hint = {"float": 0.0, "int": 0, "bool": False}[kind]
    example = {"float": float, "int": int, "bool": bool}[kind](hint)
    return kind, encode.encode_float(example) if kind == "float" else example


def _of_sizes(expr: object) -> bool:
    """An expression of input sizes only, which the module reads off its memref arguments."""
    from torch.utils._sympy.symbol import SymT, symbol_is_type

    free = getattr(expr, "free_symbols", None)
    return bool(free) and all(symbol_is_type(s, SymT.SIZE) for s in free)


def export_device_function(env: Any, host_function: Any, config: Any, params: Sequence[DeviceParam]) -> dict:
    """The spec of the device function Helion is generating now (its env and HostFunction current):
    host tensors and scalars are `params` entries, `outputs` is empty (the host code returns)."""
    fn = host_function.fn
    source = _Source(fn)
    exporter = _Exporter(env, host_function, config, ())
    graphs, grid, block_sizes = _export_graphs(exporter, host_function.device_ir, config)
    tensor_params = [(i, p) for i, p in enumerate(params) if p.kind == TENSOR]
    host_tensors = []
    for name, val in exporter.host_tensor_vals.items():
        index = next((i for i, p in tensor_params if p.value is val), None)
        if index is None:
            raise CaptureError(f"host tensor '{name}' is read by the device code but is no parameter of the "
                               "device function")
        exporter.symbols |= encode.free_symbols(val) | encode.free_symbols(list(val.stride()))
        host_tensors.append({
            "name": name, "source": "argument", "arg_index": index,
            "shape": [encode.encode_dim(d) for d in val.shape],
            "stride": [encode.encode_dim(s) for s in val.stride()],
            "dtype": encode.dtype_name(val.dtype, f"host tensor '{name}'"),
        })
    host_tensors.sort(key=lambda t: (t["arg_index"], t["name"]))
    scalars = []
    for i, p in enumerate(params):
        if p.kind != SCALAR or _of_sizes(p.value):
            continue
        if not isinstance(p.value, sympy.Symbol):
            raise CaptureError(f"device function parameter '{p.name}' is the expression {p.value}; only "
                               "scalar kernel arguments and expressions of input sizes are supported")
        kind, value = _scalar_type(p.value, exporter.fake_args)
        exporter.symbols.add(p.value)
        scalars.append({"name": p.name, "arg_index": i, "type": kind, "value": value, "symbol": str(p.value)})
    symbols = exporter.symbols_json(block_sizes, host_tensors, scalars)
    spec = {
        "version": VERSION,
        "kernel": {
            "name": fn.__name__,
            "file": source.file,
            "line": source.line(source.func),
            "static_shapes": bool(env.settings.static_shapes),
        },
        "config": json.loads(json.dumps(dict(sorted(dict(config).items())), default=str)),
        "symbols": symbols,
        "block_sizes": block_sizes,
        "host_tensors": host_tensors,
        "scalars": scalars,
        "outputs": [],
        "grid": grid,
        "graphs": graphs,
    }
    validate_spec(spec)
    return spec
