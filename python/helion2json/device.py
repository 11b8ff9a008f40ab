"""The interchange spec of one device function, as Helion generates it for a backend.

`export_kernel` describes a kernel by its own arguments and replays its host code's allocations.
A backend runs Helion's host code instead, and the launcher receives the device function's
parameters: the tensors the host code computed (views, reshapes, fresh allocations alike), sizes and
strides, scalars. Here every such tensor is a spec argument whose `arg_index` is its position among
those parameters, so the spec stays the contract between the capture and the compiled module.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from typing import Any, Sequence

import sympy
import torch

from . import encode
from .capture import _Exporter, _export_graphs, _Source, _spec
from .errors import CaptureError


TENSOR, SCALAR, DERIVED, SEEDS = "tensor", "scalar", "derived", "seeds"


@dataclasses.dataclass(frozen=True)
class DeviceParam:
    """One parameter of the device function, in the launcher's order.

    kind TENSOR: `value` is its fake tensor. SCALAR: `value` is the sympy expression the host passes:
    a scalar argument's symbol, or an expression of input sizes (`x.size(0) - 1`), which the compiled
    module computes itself. DERIVED: a size or stride of a tensor (`value`: its expression, None for
    a constexpr), which the compiled module reads off its memref arguments instead, unless that
    tensor is none of them: then the host passes it as a scalar. SEEDS: the int64 tensor of `value`
    seeds that Helion's host code draws for torch.rand and the like in device code, which
    `_rng_seed(i)` reads. The launcher drops what the module computes."""

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


def _scalar_example(symbol: sympy.Symbol, fake_args: dict) -> tuple[str, object]:
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
        # an unbacked int, or a size no host tensor has (an unspecialized x.stride(0)): the host
        # code computes it
        if symbol_is_type(symbol, SymT.UNBACKED_INT) or symbol_is_type(symbol, SymT.SIZE):
            kind, hint = "int", None
        elif symbol_is_type(symbol, SymT.UNBACKED_FLOAT):
            kind, hint = "float", None
        else:
            raise CaptureError(f"the device function takes the scalar {symbol}, which is no argument of the kernel")
    if hint is None:  # an unbacked float: one module serves every value (docs/interchange.md)
        hint = {"float": 0.0, "int": 0, "bool": False}[kind]
    return kind, {"float": float, "int": int, "bool": bool}[kind](hint)


def _expression_example(expr: sympy.Basic, fake_args: dict) -> tuple[str, object]:
    """(interchange type, example value) of a parameter that is an expression of scalars
    (`1.0 - beta`, `1.0 / (1.0 - p)`, which the host code computed): Helion's host code evaluates it
    and passes the value, and the device code reads it by the expression's text."""
    if isinstance(expr, (sympy.logic.boolalg.Boolean, sympy.core.relational.Relational)):
        kind = "bool"
    elif expr.is_integer:
        kind = "int"
    else:
        kind = "float"
    examples = {s: sympy.sympify(_scalar_example(s, fake_args)[1]) for s in expr.free_symbols}
    try:
        return kind, {"float": float, "int": int, "bool": bool}[kind](expr.xreplace(examples))
    except (TypeError, ValueError, ZeroDivisionError):  # no Python value at the examples (1 / (1 - p) at p = 1)
        return kind, {"float": 0.0, "int": 0, "bool": False}[kind]


def _of_sizes(expr: object, host_tensors: list[dict]) -> bool:
    """An expression of the host tensors' sizes only, which the module reads off its memref
    arguments."""
    sizes = {dim for t in host_tensors for dim in t["shape"] if isinstance(dim, str)}
    free = getattr(expr, "free_symbols", None)
    return bool(free) and all(s.name in sizes for s in free)


_INDEXED = ("helion.language.memory_ops.load", "helion.language.memory_ops.store", "helion.language.atomic_ops.")


def _only_gathered(graphs: list[dict]) -> set[str]:
    """The host tensors whose first dimension every use indexes with an integer tensor (loads, stores
    and atomics at computed positions): that size sizes no tile, and the lowering clamps a gather's
    positions into it and skips a scatter's outside it, so the module can read it at run time."""
    gathered, other = set(), set()
    for graph in graphs:
        nodes = {n["name"]: n for n in graph["nodes"]}
        tensors = {n["name"]: n["args"][0] for n in graph["nodes"]
                   if n["target"] == "helion.language._tracing_ops._host_tensor"}
        for n in graph["nodes"]:
            for position, arg in enumerate(n["args"]):
                if not (isinstance(arg, dict) and arg.get("node") in tensors):
                    continue
                index = n["args"][1] if len(n["args"]) > 1 and isinstance(n["args"][1], list) else []
                first = nodes.get(index[0].get("node")) if index and isinstance(index[0], dict) else None
                val = (first or {}).get("val") or {}
                by_tensor = val.get("type") == "tensor" and val.get("dtype", "").startswith(("int", "uint"))
                indexed = position == 0 and n["target"].startswith(_INDEXED) and by_tensor
                (gathered if indexed else other).add(tensors[arg["node"]])
    return gathered - other


def _read_allocation_sizes(exporter: _Exporter, graphs: list[dict], host_tensors: list[dict],
                           symbols: list[dict]) -> None:
    """The host code may size an allocation from a value in memory (jagged_softmax's
    `torch.zeros(int(offsets[-1].item()) * m)`), which Helion's binding sizes from its hint for
    unbacked values (8192): a module compiled for that size fits no launch. Where the device code only
    gathers from or scatters into such a tensor, its first dimension becomes a size the module reads
    off the memref (a `size` symbol). Kernel arguments and their views keep their sizes: Helion binds
    the kernel on them."""
    arguments = {a.untyped_storage()._cdata for a in exporter.fake_args.values() if isinstance(a, torch.Tensor)}
    allocated = {name for name, val in exporter.host_tensor_vals.items()
                 if val.untyped_storage()._cdata not in arguments}
    taken = {s["name"] for s in symbols}
    gathered = _only_gathered(graphs)
    for t in host_tensors:
        shape = t["shape"]
        if t["name"] not in allocated or t["name"] not in gathered or not shape or not isinstance(shape[0], int):
            continue
        name = next(n for n in (f"{t['name']}_size{k}" for k in itertools.count()) if n not in taken)
        taken.add(name)
        symbols.append({"name": name, "kind": "size", "value": t["shape"][0], "tensor": t["name"], "dim": 0})
        shape[0] = name


def export_device_function(env: Any, host_function: Any, config: Any, params: Sequence[DeviceParam]) -> dict:
    """The spec of the device function Helion is generating now (its env and HostFunction current):
    host tensors and scalars are `params` entries, `outputs` is empty (the host code returns)."""
    fn = host_function.fn
    source = _Source(fn)
    exporter = _Exporter(env, host_function, config, ())
    seeds = [(i, p) for i, p in enumerate(params) if p.kind == SEEDS]
    exporter.rng_seeds = seeds[0][1].name if seeds else None
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
    for i, p in seeds:
        host_tensors.append({"name": p.name, "source": "argument", "arg_index": i, "shape": [p.value],
                             "stride": [1], "dtype": "int64"})
    host_tensors.sort(key=lambda t: (t["arg_index"], t["name"]))
    scalars = []
    for i, p in enumerate(params):
        derived_unread = p.kind == DERIVED and isinstance(p.value, sympy.Symbol)
        if (p.kind != SCALAR and not derived_unread) or _of_sizes(p.value, host_tensors):
            continue
        example = _scalar_example if isinstance(p.value, sympy.Symbol) else _expression_example
        kind, value = example(p.value, exporter.fake_args)
        tile = next((b["tile_size"] for b in block_sizes if b["symbol"] == str(p.value)), None)
        value = value if tile is None else tile  # a block's tile size the launcher passes
        if kind == "float":
            value = encode.encode_float(value)
        exporter.symbols |= p.value.free_symbols
        scalars.append({"name": p.name, "arg_index": i, "type": kind, "value": value, "symbol": str(p.value)})
    symbols = exporter.symbols_json(block_sizes, host_tensors, scalars)
    _read_allocation_sizes(exporter, graphs, host_tensors, symbols)
    return _spec(fn, source, env.settings.static_shapes, config, symbols=symbols, block_sizes=block_sizes,
                 host_tensors=host_tensors, scalars=scalars, outputs=[], grid=grid, graphs=graphs)
