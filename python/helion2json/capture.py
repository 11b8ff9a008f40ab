"""Bind a Helion kernel on CPU example arguments and export its Device IR as an interchange spec."""

from __future__ import annotations

import ast
import functools
import inspect
import json
import math
import os
import textwrap
from collections.abc import Mapping
from typing import Any, Sequence

import sympy
import torch

from . import encode
from .errors import CaptureError
from .references import LOOP_GRAPH_KINDS
from .schema import known_target, spec_version, validate_spec

GRAPH_KIND_BY_CLASS = {
    "RootGraphInfo": "root",
    "ForLoopGraphInfo": "for_loop",
    "ReductionLoopGraphInfo": "reduction_loop",
    "IfGraphInfo": "if",
    "ElseGraphInfo": "else",
    "WhileConditionGraphInfo": "while_condition",
    "WhileLoopGraphInfo": "while_loop",
    "HelperFunctionGraphInfo": "helper",
}


def _display_path(path: str) -> str:
    """Paths under the working directory are written relative, so fixtures do not depend on the machine."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _location(node: torch.fx.Node) -> dict | None:
    """Helion records a SourceLocation (a traceback.FrameSummary) per node; columns are written 1-based."""
    loc = node.meta.get("location")
    file = getattr(loc, "filename", None)
    line = getattr(loc, "lineno", None)
    if not isinstance(file, str) or not isinstance(line, int):
        return None
    out = {"file": _display_path(file), "line": line}
    col = getattr(loc, "colno", None)
    if isinstance(col, int):
        out["col"] = col + 1
    return out


def _where(node: torch.fx.Node, graph_id: int) -> str:
    loc = _location(node)
    at = f" at {loc['file']}:{loc['line']}" if loc else ""
    return f"graph {graph_id} node '{node.name}'{at}"


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _resolve_config(bound: Any, config: object) -> Any:
    """The config Helion would compile with: unknown keys rejected, the rest validated and completed."""
    from helion.autotuner.config_spec import VALID_KEYS

    spec = bound.config_spec
    if config is None:
        return spec.default_config()
    if not isinstance(config, Mapping):  # helion.Config is a Mapping too
        raise CaptureError(f"config: expected a dict or helion.Config, got {type(config).__name__}")
    values = dict(config)
    for key in values:
        if key not in VALID_KEYS and key not in spec.user_defined_tunables:
            raise CaptureError(f"config: unknown key '{key}'")
    try:
        return spec.normalized_config(values)
    except Exception as e:  # helion.exc.InvalidConfig, or a TypeError from a malformed value
        raise CaptureError(f"config: {_first_line(e)}") from None


def _top_level_returns(func: ast.AST) -> list[ast.Return]:
    """Return statements of `func` itself, not of functions nested in it."""
    found = []
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Return):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return sorted(found, key=lambda r: r.lineno)


class _Source:
    """The kernel function's source: its file as written in the spec, and its parsed definition."""

    def __init__(self, fn: Any) -> None:
        try:
            text = textwrap.dedent(inspect.getsource(fn))
            self.file = _display_path(inspect.getsourcefile(fn) or "<unknown>")
        except (OSError, TypeError) as e:
            raise CaptureError(f"cannot read the source of {fn.__name__}: {e}") from None
        self.func = ast.parse(text).body[0]
        self.first_line = fn.__code__.co_firstlineno

    def line(self, node: ast.AST) -> int:
        return self.first_line + node.lineno - 1

    def returned_names(self) -> list[str]:
        """Names the kernel returns, in order (`return out` or `return a, b`)."""
        result: list[str] | None = None
        for ret in _top_level_returns(self.func):
            at = f"{self.file}:{self.line(ret)}"
            if ret.value is None or (isinstance(ret.value, ast.Constant) and ret.value.value is None):
                names: list[str] = []
            else:
                items = ret.value.elts if isinstance(ret.value, ast.Tuple) else [ret.value]
                for item in items:
                    if not isinstance(item, ast.Name):
                        raise CaptureError(f"{at}: the kernel returns `{ast.unparse(item)}`; it must return host "
                                           "tensors by name (`return out` or `return a, b`)")
                names = [item.id for item in items]
            if result is not None and names != result:
                raise CaptureError(f"{at}: the kernel returns ({', '.join(names)}) here but "
                                   f"({', '.join(result)}) elsewhere; every return must name the same tensors")
            result = names
        return result or []

    def allocation_fills(self) -> dict[str, int | float | bool]:
        """Host tensors the kernel's top-level host code creates filled with a constant
        (`out = torch.zeros(...)`, `torch.full_like(x, 2.0)`, `x.new_ones(...)`): name -> value."""
        fills = {}
        for stmt in self.func.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                value = _fill_value(stmt.value)
                if value is not None:
                    fills[stmt.targets[0].id] = value
        return fills


# The calls that create a filled tensor: the fill itself, or the position of its argument.
_FILLING_CALLS = {"zeros": 0, "zeros_like": 0, "new_zeros": 0, "ones": 1, "ones_like": 1, "new_ones": 1}
_FULL_CALLS = {"full": 1, "full_like": 1, "new_full": 1}


def _literal(node: ast.AST) -> int | float | bool | None:
    """A number written as a literal, `float("-inf")` or `math.inf` included."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        return None if value is None else -value if isinstance(node.op, ast.USub) else value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and not node.keywords):
        try:
            return float(node.args[0].value)
        except (TypeError, ValueError):
            return None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "math":
        return {"inf": math.inf, "nan": math.nan}.get(node.attr)
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float)):
        return node.value
    return None


def _fill_value(call: ast.AST) -> int | float | bool | None:
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    name = call.func.attr
    if name in _FILLING_CALLS:
        return _FILLING_CALLS[name]
    if name in _FULL_CALLS:
        keyword = next((k.value for k in call.keywords if k.arg == "fill_value"), None)
        position = _FULL_CALLS[name]
        arg = keyword if keyword is not None else call.args[position] if len(call.args) > position else None
        return None if arg is None else _literal(arg)
    return None


@functools.cache
def _graph_id_params(target: object) -> tuple[tuple[int, str], ...]:
    """(position, name) of a Helion op's parameters that hold a graph id (graph_id, if_graph_id, ...)."""
    if isinstance(target, torch._ops.OpOverload) or not callable(target):
        return ()
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return ()
    return tuple((i, name) for i, name in enumerate(params) if name.endswith("graph_id"))


def _graph_refs(node: torch.fx.Node) -> list[int]:
    if node.op != "call_function":
        return []
    refs = []
    for i, name in _graph_id_params(node.target):
        value = node.args[i] if i < len(node.args) else node.kwargs.get(name)
        if isinstance(value, int):
            refs.append(value)
    return refs


def _with_graph_ids(node: torch.fx.Node, renumber: dict[int, int]) -> tuple[list, dict]:
    """The node's args and kwargs with graph ids renumbered to the exported graphs."""
    args, kwargs = list(node.args), dict(node.kwargs)
    for i, name in _graph_id_params(node.target):
        if i < len(args) and isinstance(args[i], int):
            args[i] = renumber[args[i]]
        elif isinstance(kwargs.get(name), int):
            kwargs[name] = renumber[kwargs[name]]
    return args, kwargs


def _reachable_graphs(infos: list[Any], roots: list[int]) -> list[int]:
    """Ids of the graphs the roots run, in Helion's order.

    Helion's codegen graphs also hold alternatives the config does not use (the rolled form of a
    persistent reduction) and, once a reduction is rolled, a stale copy of the root; neither is exported.
    """
    by_id = {info.graph_id: info for info in infos}
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        gid = stack.pop()
        if gid in seen:
            continue
        if gid not in by_id:
            raise CaptureError(f"helion's Device IR refers to graph {gid}, which it did not build")
        seen.add(gid)
        info = by_id[gid]
        for node in info.graph.nodes:
            stack.extend(_graph_refs(node))
        if hasattr(info, "cond_graph_id"):
            stack.append(info.cond_graph_id)
    return sorted(seen)


class _Exporter:
    def __init__(self, env: Any, host_function: Any, config: Any, args: Sequence[object]) -> None:
        self.env = env
        self.config = config
        self.args = args
        self.params = list(inspect.signature(host_function.fn).parameters)
        self.fake_args = host_function.params.arguments
        self.symbols: set = set()
        self.host_tensor_vals: dict[str, torch.Tensor] = {}
        self.renumber: dict[int, int] = {}
        self.fills: dict[str, int | float | bool] = {}
        self.by_id: dict[int, Any] = {}
        # The host tensor of torch.rand's seeds, where the device function takes one (device.py).
        self.rng_seeds: str | None = None

    def node_json(self, node: torch.fx.Node, graph_id: int) -> dict:
        where = _where(node, graph_id)
        target = encode.target_name(node.target)
        if node.op == "call_function" and not known_target(target):
            raise CaptureError(f"{where}: op '{target}' is not known to the interchange schema")
        args, kwargs = _with_graph_ids(node, self.renumber)
        if target == "helion.language.random_ops._rng_seed":
            if self.rng_seeds is None:
                raise CaptureError(f"{where}: torch.rand in device code reads seeds that Helion's host code draws; "
                                   "run the kernel as kernel(*args) under backend \"mlir\"")
            kwargs = {**kwargs, "seeds": self.rng_seeds}
        self.symbols |= encode.free_symbols(args) | encode.free_symbols(kwargs)
        out: dict[str, Any] = {
            "name": node.name,
            "op": node.op,
            "target": target,
            "args": encode.encode_arg(args, where),
            "kwargs": {k: encode.encode_arg(v, where) for k, v in kwargs.items()},
        }
        if node.op != "output":
            val = node.meta.get("val")
            out["val"] = encode.encode_val(val, where)
            self.symbols |= encode.free_symbols(val)
            if not target.endswith("._host_tensor"):
                self._name_padded_dims(out["val"], where)
        if target.endswith("._host_tensor") and isinstance(node.meta.get("val"), torch.Tensor):
            self.host_tensor_vals.setdefault(node.args[0], node.meta["val"])
        out["loc"] = _location(node)
        return out

    def graph_json(self, info: Any) -> dict:
        gid = self.renumber[info.graph_id]
        kind = GRAPH_KIND_BY_CLASS.get(type(info).__name__)
        if kind is None:
            raise CaptureError(f"graph {gid}: graph kind {type(info).__name__} is not known to the interchange schema")
        graph: dict[str, Any] = {
            "id": gid,
            "kind": kind,
            "block_ids": list(getattr(info, "block_ids", [])),
            "node_args": [n.name for n in getattr(info, "node_args", [])],
        }
        if kind == "while_loop":
            graph["cond_graph_id"] = self.renumber[info.cond_graph_id]
        if kind == "helper":
            graph["function_name"] = info.original_function_name
        if kind == "if":
            graph["branch_outputs"] = self.branch_outputs_json(info)
        graph["nodes"] = [self.node_json(n, gid) for n in info.graph.nodes]
        return graph

    def branch_outputs_json(self, info: Any) -> list[list]:
        """Where each variable an `if` merges comes from in either branch (IfGraphInfo.branches_outputs):
        an output index of that branch's graph, or, where the branch leaves the variable alone, the
        name of the calling graph's node that holds its value before the `if`."""
        before: dict[str, str] = {}
        for names, graph in ((info.else_arg_names, self.by_id[info.else_branch]), (info.if_arg_names, info)):
            before.update(zip(names or [], (n.name for n in graph.node_args)))
        return [[o if isinstance(o, int) else before[o] for o in pair] for pair in info.branches_outputs or []]

    def _name_padded_dims(self, val: dict, where: str) -> None:
        """Helion's codegen takes a static dimension of a reduction block's size for that block
        (CompileEnvironment.resolve_block_id), as wide as its tile: `torch.arange(n)` beside
        `x[tile, :]` has the row tile's padded width. Where the tile is wider than the size, the spec
        names the block, so the lowering gives the dimension the tile's width too."""
        if val["type"] == "list":
            for item in val["items"]:
                self._name_padded_dims(item, where)
            return
        if val["type"] != "tensor":
            return
        for i, dim in enumerate(val["shape"]):
            if not isinstance(dim, int) or dim <= 1:
                continue
            block_id = self.env.resolve_block_id(dim)
            if block_id is None or not self.env.block_sizes[block_id].reduction:
                continue
            info = self.env.block_sizes[block_id]
            tile = info.from_config(self.config)
            if not isinstance(tile, int) or tile == dim:
                continue
            if tile < dim:
                raise CaptureError(f"{where}: a tensor of {dim} elements built in the kernel spans a looped "
                                   f"reduction's dimension (reduction_loops {tile}), which is not supported: "
                                   "keep that reduction persistent (reduction_loops None)")
            val["shape"][i] = str(info.symbol())
            self.symbols.add(info.symbol())

    def block_sizes_json(self, graphs: list[dict], grid_ids: set[int]) -> list[dict]:
        out = []
        for bs in self.env.block_sizes:
            loops = [g["id"] for g in graphs if g["kind"] in LOOP_GRAPH_KINDS and bs.block_id in g["block_ids"]]
            size = bs.size if isinstance(bs.size, (int, torch.SymInt)) else None
            tile = bs.from_config(self.config)
            if isinstance(tile, torch.SymInt):
                # A block size computed from tunables (matmul_split_k's next_power_of_2(cdiv(k,
                # split_k))): Helion records how to evaluate it on a config.
                expression = self.env.config_value_expressions.get(tile.node.expr)
                tile = expression.evaluate(self.config) if expression is not None else tile
            example = self.env.shape_env.backed_var_to_val.get(tile.node.expr) if isinstance(tile, torch.SymInt) else None
            if example is not None and int(example) > 0:
                # A block sized by an int argument (`hl.tile(n, block_size=bs)`): Helion passes it to
                # Triton as a constexpr, compiled for each value; the module is compiled for the
                # example's, and the launch check refuses another (helion_mlir._launch.Signature).
                tile = int(example)
            # A block no graph sizes a tile by (hl.grid's) still names its symbol, as the graphs'
            # values do (encode.sym_expr: a block of a fixed size computed from tunables is that
            # size's symbol).
            symbol = self.env.shape_env.replace(bs.symbol())
            if not isinstance(symbol, sympy.Symbol):  # specialized to a number, which values show as such
                symbol = bs.symbol()
            self.symbols |= encode.free_symbols(size) | {symbol}
            out.append({
                "block_id": bs.block_id,
                "symbol": str(symbol),
                "size": None if size is None else encode.encode_dim(size),
                "reduction": bool(bs.reduction),
                "tile_size": tile if isinstance(tile, int) else None,
                "grid": bs.block_id in grid_ids,
                "loops": loops,
                "debug_names": sorted(bs.debug_names),
            })
            if self.env.is_jagged_tile(bs.block_id):
                # Helion masks every access by each row's end (its codegen, not the Device IR): the
                # lowering needs the parent tiles, whose tensor the block's loop takes first.
                out[-1]["jagged_parents"] = list(self.env.jagged_tile_parent_ids[bs.block_id])
        return out

    def host_tensors_json(self) -> list[dict]:
        out = []
        storage_owner: dict[int, str] = {}

        def entry(name: str, source: str, arg_index: int | None, val: torch.Tensor) -> dict:
            owner = storage_owner.setdefault(val.untyped_storage()._cdata, name)
            if owner != name:
                raise CaptureError(f"host tensor '{name}' is a view of '{owner}'; the interchange carries only "
                                   "kernel arguments and fresh allocations, so pass the view as an argument")
            self.symbols |= encode.free_symbols(val) | encode.free_symbols(list(val.stride()))
            return {
                "name": name, "source": source, "arg_index": arg_index,
                "shape": [encode.encode_dim(d) for d in val.shape],
                "stride": [encode.encode_dim(s) for s in val.stride()],
                "dtype": encode.dtype_name(val.dtype, f"host tensor '{name}'"),
            }

        for i, name in enumerate(self.params[: len(self.args)]):
            if isinstance(self.args[i], torch.Tensor):
                fake = self.fake_args.get(name)
                out.append(entry(name, "argument", i, fake if isinstance(fake, torch.Tensor) else self.args[i]))
                used = self.host_tensor_vals.get(name)
                if used is not None and _layout(used) != _layout(fake):
                    raise CaptureError(f"the kernel's host code reassigns argument '{name}' before its device "
                                       "code uses it; the interchange passes arguments unchanged, so give the "
                                       "new tensor a name of its own")
        for name, val in self.host_tensor_vals.items():
            if name not in self.params:
                out.append(entry(name, "allocated", None, val))
                if name in self.fills:
                    fill = self.fills[name]
                    out[-1]["fill"] = encode.encode_float(fill) if isinstance(fill, float) else fill
        return out

    def scalars_json(self) -> list[dict]:
        out = []
        for i, name in enumerate(self.params[: len(self.args)]):
            arg = self.args[i]
            if isinstance(arg, (bool, int, float)):
                fake = self.fake_args.get(name)
                symbol = str(encode.sym_expr(fake)) if isinstance(fake, encode.SYM_TYPES) else None
                # Subclasses (numpy scalars, IntEnum) are written as the Python scalar they extend.
                kind = next(t for t in (bool, int, float) if isinstance(arg, t))
                value = encode.encode_float(float(arg)) if kind is float else kind(arg)
                out.append({"name": name, "arg_index": i, "type": kind.__name__, "value": value,
                            "symbol": symbol})
        return out

    def symbols_json(self, block_sizes: list[dict], host_tensors: list[dict], scalars: list[dict]) -> list[dict]:
        from torch.utils._sympy.symbol import SymT, symbol_is_type

        from helion._compiler.host_function import HostFunction
        from helion._compiler.variable_origin import (GridOrigin, TileBeginOrigin, TileCountOrigin, TileEndOrigin,
                                                      TileIdOrigin)

        # A symbol of a tile's position that an inner loop reads (`i_b = tile_b.id` used in an inner
        # loop): the lowering computes it from that block's current tile.
        positions = {GridOrigin: "grid_index", TileBeginOrigin: "grid_index", TileEndOrigin: "tile_end",
                     TileIdOrigin: "tile_id", TileCountOrigin: "tile_count"}

        hints = self.env.shape_env.backed_var_to_val
        origins = {expr: info.origin for expr, info in HostFunction.current().expr_to_origin.items()}
        # Helion reuses a tile's symbol for the reduction block of a view of that tile; the tile's
        # own block is the first one.
        by_symbol: dict[str, dict] = {}
        for b in block_sizes:
            by_symbol.setdefault(b["symbol"], b)
        by_scalar = {s["symbol"]: s for s in scalars if s["symbol"]}
        dims = {}
        for t in host_tensors:
            if t["source"] == "argument":
                for d, dim in enumerate(t["shape"]):
                    dims.setdefault(dim, {"tensor": t["name"], "dim": d})
        out = []
        for sym in sorted(self.symbols, key=lambda s: s.name):
            entry: dict[str, Any] = {"name": sym.name}
            if sym.name in by_symbol:
                entry.update(kind="block_size", block_id=by_symbol[sym.name]["block_id"],
                             value=by_symbol[sym.name]["tile_size"])
            elif sym.name in by_scalar:
                entry.update(kind="scalar", arg_index=by_scalar[sym.name]["arg_index"],
                             value=by_scalar[sym.name]["value"])
            # Helion gives unbacked symbols (tile_begin's, a block size's) size hints too: go by the
            # symbol's type, and only input sizes ("s77") are backed by an example value.
            elif symbol_is_type(sym, SymT.SIZE) and sym in hints:
                entry.update(kind="size", value=int(hints[sym]))
                entry.update(dims.get(sym.name, {}))
            # An hl.grid index and a tile's begin are both the offset of the block's current tile
            # (an expression may name it where no tile_begin node does: `min(t.begin + 3, n)`).
            # TileExtentOrigin is left unbacked: nothing reads it as a symbol in a loop of its own.
            elif type(origins.get(sym)) in positions:
                entry.update(kind=positions[type(origins[sym])], block_id=origins[sym].block_id, value=None)
            else:
                entry.update(kind="unbacked", value=None)
            out.append(entry)
        return out


def _layout(t: torch.Tensor) -> tuple:
    return (t.untyped_storage()._cdata, t.storage_offset(), tuple(t.shape), tuple(t.stride()), t.dtype)


def _check_args(args: tuple, params: list[str]) -> None:
    if not any(isinstance(a, torch.Tensor) for a in args):
        raise CaptureError("the kernel has no tensor arguments: give at least one torch.Tensor "
                           "(on the command line, one --arg EXPR per kernel argument)")
    for i, a in enumerate(args):
        name = f"argument {i}" + (f" ('{params[i]}')" if i < len(params) else "")
        if isinstance(a, torch.Tensor) and a.device.type != "cpu":
            raise CaptureError(f"{name}: tensors must be on the CPU, got device '{a.device}'")
        if isinstance(a, (list, tuple, dict)):
            items = a.values() if isinstance(a, dict) else a
            if any(isinstance(x, torch.Tensor) for x in items):
                raise CaptureError(f"{name}: a container of tensors cannot be captured; pass each tensor "
                                   "as its own argument")


def _settle_broadcast_dims(infos: list) -> None:
    """Helion's codegen settles, for every load, whether a dynamic host dimension that a tile indexes
    has size 1 (CompileEnvironment.resolve_broadcast_dim: a guard that, when true, replaces the size
    symbol by 1, and a load then broadcasts that dimension). The capture does what codegen would, so
    the spec's shapes say 1 where Helion's load broadcasts."""
    from helion._compiler.compile_environment import CompileEnvironment

    env = CompileEnvironment.current()
    for info in infos:
        for node in info.graph.nodes:
            if node.op != "call_function" or encode.target_name(node.target) != "helion.language.memory_ops.load":
                continue
            tensor, index = node.args[0], node.args[1]
            fake = tensor.meta.get("val") if isinstance(tensor, torch.fx.Node) else None
            if not isinstance(fake, torch.Tensor) or not isinstance(index, (list, tuple)):
                continue
            dims = [e for e in index if e is not None]  # None inserts a dimension, indexes none
            for d, e in enumerate(dims[: fake.ndim]):
                val = e.meta.get("val") if isinstance(e, torch.fx.Node) else None
                block_id = env.get_block_id(val) if isinstance(val, torch.SymInt) else None
                if block_id is not None:
                    env.resolve_broadcast_dim(fake.size(d), block_id)


def _root_ranges(exporter: _Exporter, nroots: int) -> list[tuple[list, list]]:
    """Each root's [begin, end) per block id, from the top-level hl.tile/hl.grid call as Helion's
    codegen binds it (the Device IR's root graphs carry no loop bounds): `hl.tile(4, n)` begins at 4."""
    from helion._compiler.generate_ast import _flatten_starred_args
    from helion._compiler.host_function import HostFunction

    host_function = HostFunction.current()
    ranges: list[tuple[list, list]] = [([], [])] * nroots
    fors = (n for stmt in host_function.body for n in ast.walk(stmt) if isinstance(n, ast.For))
    for node in fors:
        root = getattr(node, "_root_id", None)
        call = node.iter
        if root is None or not 0 <= root < nroots or not isinstance(call, ast.Call):
            continue
        fn = call.func._type_info.proxy()
        args = [a._type_info.proxy() for a in _flatten_starred_args(call.args)]
        kwargs = {k.arg: k.value._type_info.proxy() for k in call.keywords}
        bound = fn._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        begin_or_end, end_or_none = list(bound.arguments.values())[:2]
        as_list = lambda v: list(v) if isinstance(v, (list, tuple, torch.Size)) else [v]
        ends = as_list(begin_or_end if end_or_none is None else end_or_none)
        begins = [0] * len(ends) if end_or_none is None else as_list(begin_or_end)
        where = f"{_display_path(host_function.fn.__code__.co_filename)}:{node.lineno}"
        ranges[root] = ([_grid_bound(exporter, b, where) for b in begins],
                        [_grid_bound(exporter, e, where) for e in ends])
    return ranges


def _grid_bound(exporter: _Exporter, value: object, where: str) -> int | str:
    if isinstance(value, bool) or not isinstance(value, (int, torch.SymInt)):
        raise CaptureError(f"{where}: a top-level loop bound must be an integer or a size, got "
                           f"{type(value).__name__}")
    exporter.symbols |= encode.free_symbols(value)
    return encode.encode_dim(value)


def _export_graphs(exporter: _Exporter, device_ir: Any, cfg: Any) -> tuple[list, list, list]:
    """The graphs the config runs, the grids and the block sizes (HostFunction and env current)."""
    if len(device_ir.root_ids) != len(device_ir.grid_block_ids):
        raise CaptureError("each root graph needs one grid of block ids; helion reported "
                           f"{len(device_ir.root_ids)} roots and {len(device_ir.grid_block_ids)} grids")
    try:
        infos = device_ir.build_codegen_graphs(cfg)
    except Exception as e:
        raise CaptureError(f"config {dict(cfg)}: {type(e).__name__}: {_first_line(e)}") from None
    _settle_broadcast_dims(infos)
    reachable = _reachable_graphs(infos, list(device_ir.root_ids))
    exporter.renumber = {old: new for new, old in enumerate(reachable)}
    exporter.by_id = by_id = {info.graph_id: info for info in infos}
    graphs = [exporter.graph_json(by_id[gid]) for gid in reachable]
    grid = [{"root_graph": exporter.renumber[r], "block_ids": list(ids)}
            for r, ids in zip(device_ir.root_ids, device_ir.grid_block_ids)]
    for entry, (begins, ends) in zip(grid, _root_ranges(exporter, len(grid))):
        if any(b != 0 for b in begins):
            entry.update(begin=begins, end=ends)
    block_sizes = exporter.block_sizes_json(graphs, {b for g in grid for b in g["block_ids"]})
    return graphs, grid, block_sizes


def export_kernel(kernel: Any, args: Sequence[object], config: object = None) -> dict:
    """Bind `kernel` on CPU `args` and return its interchange spec (a JSON-ready dict), validated."""
    import helion

    if not isinstance(kernel, helion.Kernel):
        raise CaptureError(f"expected a @helion.kernel, got {type(kernel).__name__}")
    args = tuple(args)
    fn = kernel.fn
    _check_args(args, list(inspect.signature(fn).parameters))
    source = _Source(fn)
    outputs = source.returned_names()
    try:
        bound = kernel.bind(args)
    except Exception as e:  # Helion reports user errors (bad kernel code, wrong args) as exceptions
        raise CaptureError(f"helion could not bind the kernel: {type(e).__name__}: {_first_line(e)}") from None
    cfg = _resolve_config(bound, config)
    exporter = _Exporter(bound.env, bound.host_function, cfg, args)
    exporter.fills = source.allocation_fills()
    with bound.env, bound.host_function:
        graphs, grid, block_sizes = _export_graphs(exporter, bound.host_function.device_ir, cfg)
        host_tensors = exporter.host_tensors_json()
        scalars = exporter.scalars_json()
        symbols = exporter.symbols_json(block_sizes, host_tensors, scalars)
    # Helion's code generation keys a bound kernel on the size guards it records; so is the capture's
    # (_settle_broadcast_dims), or the next bind would reuse a kernel settled to size 1 for other sizes.
    bound._publish_guarded_input_facts()
    known = {t["name"] for t in host_tensors}
    for name in outputs:
        if name not in known:
            raise CaptureError(f"the kernel returns '{name}', which is neither a tensor argument nor a tensor "
                               "its device code reads or writes")
    return _spec(fn, source, bound.kernel.settings.static_shapes, cfg, symbols=symbols,
                 block_sizes=block_sizes, host_tensors=host_tensors, scalars=scalars, outputs=outputs,
                 grid=grid, graphs=graphs)


def _spec(fn: Any, source: _Source, static_shapes: bool, config: object, *, symbols: list,
          block_sizes: list, host_tensors: list, scalars: list, outputs: list, grid: list,
          graphs: list) -> dict:
    """The spec of `fn` under `config` from its captured sections, validated against the schema."""
    spec = {
        "version": spec_version(block_sizes),
        "kernel": {
            "name": fn.__name__,
            "file": source.file,
            "line": source.line(source.func),
            "static_shapes": bool(static_shapes),
        },
        "config": json.loads(json.dumps(dict(sorted(dict(config).items())), default=str)),
        "symbols": symbols,
        "block_sizes": block_sizes,
        "host_tensors": host_tensors,
        "scalars": scalars,
        "outputs": outputs,
        "grid": grid,
        "graphs": graphs,
    }
    validate_spec(spec)
    return spec


def write_spec(spec: dict, path: str, indent: int | None = 2) -> None:
    """Write `spec` to `path` whole or not at all: a failed write leaves no partial file behind."""
    text = json.dumps(spec, indent=indent) + "\n"
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise CaptureError(f"cannot write {path}: {e.strerror or e}") from None


def dump_kernel_json(kernel: Any, path: str, example_args: Sequence[object], config: object = None,
                     indent: int | None = 2) -> dict:
    """Export `kernel` and write its spec to `path` (written whole, or not at all)."""
    spec = export_kernel(kernel, example_args, config)
    write_spec(spec, path, indent)
    return spec
