"""Bind a Helion kernel on CPU example arguments and export its Device IR as an interchange spec."""

from __future__ import annotations

import ast
import inspect
import json
import os
import textwrap
from typing import Any, Sequence

import torch

from . import encode
from .errors import CaptureError
from .schema import VERSION, known_target, validate_spec

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
    loc = node.meta.get("location")
    if not isinstance(loc, str) or ":" not in loc:
        return None
    file, _, line = loc.rpartition(":")
    if not line.isdigit():
        return None
    return {"file": _display_path(file), "line": int(line)}


def _where(node: torch.fx.Node, graph_id: int) -> str:
    loc = _location(node)
    at = f" at {loc['file']}:{loc['line']}" if loc else ""
    return f"graph {graph_id} node '{node.name}'{at}"


def _resolve_config(bound: Any, config: object) -> Any:
    import helion

    if config is None:
        return bound.config_spec.default_config()
    if isinstance(config, helion.Config):
        return config
    if isinstance(config, dict):
        try:
            return helion.Config(**config)
        except TypeError as e:
            raise CaptureError(f"config: {e}") from None
    raise CaptureError(f"config: expected a dict or helion.Config, got {type(config).__name__}")


def _returned_names(fn: Any) -> list[str]:
    """Names the kernel returns, in order, read from its source (`return out` or `return a, b`)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    func = tree.body[0]
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return) and n.value is not None]
    if not returns:
        return []
    value = returns[-1].value
    items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value]
    names = []
    for item in items:
        if not isinstance(item, ast.Name):
            raise CaptureError(
                f"{_display_path(inspect.getsourcefile(fn))}:{fn.__code__.co_firstlineno + item.lineno - 1}: "
                "the kernel must return host tensors by name (e.g. `return out`)"
            )
        names.append(item.id)
    return names


class _Exporter:
    def __init__(self, bound: Any, config: Any, args: Sequence[object]) -> None:
        self.bound = bound
        self.env = bound.env
        self.config = config
        self.args = args
        self.symbols: set = set()
        self.host_tensor_vals: dict[str, torch.Tensor] = {}

    def node_json(self, node: torch.fx.Node, graph_id: int) -> dict:
        where = _where(node, graph_id)
        target = encode.target_name(node.target)
        if node.op == "call_function" and not known_target(target):
            raise CaptureError(f"{where}: op '{target}' is not known to the interchange schema")
        out: dict[str, Any] = {
            "name": node.name,
            "op": node.op,
            "target": target,
            "args": encode.encode_arg(list(node.args), where),
            "kwargs": {k: encode.encode_arg(v, where) for k, v in node.kwargs.items()},
        }
        if node.op != "output":
            val = node.meta.get("val")
            out["val"] = encode.encode_val(val, where)
            self.symbols |= encode.free_symbols(val)
        if target.endswith("._host_tensor") and isinstance(node.meta.get("val"), torch.Tensor):
            self.host_tensor_vals[node.args[0]] = node.meta["val"]
        out["loc"] = _location(node)
        return out

    def graph_json(self, info: Any) -> dict:
        kind = GRAPH_KIND_BY_CLASS.get(type(info).__name__)
        if kind is None:
            raise CaptureError(f"graph {info.graph_id}: graph kind {type(info).__name__} is not known")
        graph: dict[str, Any] = {
            "id": info.graph_id,
            "kind": kind,
            "block_ids": list(getattr(info, "block_ids", [])),
            "node_args": [n.name for n in getattr(info, "node_args", [])],
        }
        if kind == "while_loop":
            graph["cond_graph_id"] = info.cond_graph_id
        if kind == "helper":
            graph["function_name"] = info.original_function_name
        graph["nodes"] = [self.node_json(n, info.graph_id) for n in info.graph.nodes]
        return graph

    def block_sizes_json(self, graphs: list[dict]) -> list[dict]:
        device_ir = self.bound.host_function.device_ir
        grid_ids = {b for ids in device_ir.grid_block_ids for b in ids}
        invoked = _invoked_loop_graphs(graphs)
        out = []
        for bs in self.env.block_sizes:
            loops = [g["id"] for g in graphs if g["id"] in invoked and bs.block_id in g["block_ids"]]
            size = bs.size if isinstance(bs.size, (int, torch.SymInt)) else None
            tile = bs.from_config(self.config)
            if isinstance(size, torch.SymInt):
                self.symbols |= encode.free_symbols(size)
            out.append({
                "block_id": bs.block_id,
                "symbol": str(bs.symbol()),
                "size": None if size is None else encode.encode_dim(size),
                "reduction": bool(bs.reduction),
                "tile_size": tile if isinstance(tile, int) else None,
                "grid": bs.block_id in grid_ids,
                "loops": loops,
                "debug_names": sorted(bs.debug_names),
            })
        return out

    def host_tensors_json(self) -> list[dict]:
        params = list(inspect.signature(self.bound.kernel.fn).parameters)
        out = []
        for i, name in enumerate(params[: len(self.args)]):
            arg = self.args[i]
            if isinstance(arg, torch.Tensor):
                fake = self.bound.host_function.params.arguments.get(name)
                shape = [encode.encode_dim(d) for d in fake.shape] if fake is not None else list(arg.shape)
                for d in (fake.shape if fake is not None else ()):
                    if not isinstance(d, int):
                        self.symbols |= encode.sym_expr(d).free_symbols
                out.append({
                    "name": name, "source": "argument", "arg_index": i, "shape": shape,
                    "stride": list(arg.stride()), "dtype": encode.dtype_name(arg.dtype, f"argument '{name}'"),
                })
        for name, val in self.host_tensor_vals.items():
            if name in params:
                continue
            self.symbols |= encode.free_symbols(val)
            out.append({
                "name": name, "source": "allocated", "arg_index": None,
                "shape": [encode.encode_dim(d) for d in val.shape],
                "stride": [encode.encode_dim(s) for s in val.stride()],
                "dtype": encode.dtype_name(val.dtype, f"host tensor '{name}'"),
            })
        return out

    def scalars_json(self) -> list[dict]:
        params = list(inspect.signature(self.bound.kernel.fn).parameters)
        out = []
        for i, name in enumerate(params[: len(self.args)]):
            arg = self.args[i]
            if isinstance(arg, (bool, int, float)):
                out.append({"name": name, "arg_index": i, "type": type(arg).__name__,
                            "value": encode.encode_float(arg) if isinstance(arg, float) else arg})
        return out

    def symbols_json(self, block_sizes: list[dict]) -> list[dict]:
        hints = self.env.shape_env.backed_var_to_val if hasattr(self.env.shape_env, "backed_var_to_val") \
            else self.env.shape_env.var_to_val
        by_symbol = {b["symbol"]: b for b in block_sizes}
        out = []
        for sym in sorted(self.symbols, key=lambda s: s.name):
            entry: dict[str, Any] = {"name": sym.name}
            if sym.name in by_symbol:
                entry["kind"] = "block_size"
                entry["block_id"] = by_symbol[sym.name]["block_id"]
                entry["value"] = by_symbol[sym.name]["tile_size"]
            else:
                entry["kind"] = "size"
                hint = hints.get(sym)
                entry["value"] = int(hint) if hint is not None else None
            out.append(entry)
        return out


def _invoked_loop_graphs(graphs: list[dict]) -> set[int]:
    """Loop graphs some node runs: the config may leave alternative (rolled) graphs unused."""
    invoked = set()
    for graph in graphs:
        for node in graph["nodes"]:
            if node["target"].endswith(("._for_loop", "._for_loop_step")):
                invoked.add(node["args"][0])
    return invoked


def export_kernel(kernel: Any, args: Sequence[object], config: object = None) -> dict:
    """Bind `kernel` on CPU `args` and return its interchange spec (a JSON-ready dict), validated."""
    args = tuple(args)
    if not any(isinstance(a, torch.Tensor) for a in args):
        raise CaptureError("the kernel has no tensor arguments: give at least one torch.Tensor with --arg")
    for i, a in enumerate(args):
        if isinstance(a, torch.Tensor) and a.device.type != "cpu":
            raise CaptureError(f"argument {i}: tensors must be on the CPU, got {a.device}")
    try:
        bound = kernel.bind(args)
    except CaptureError:
        raise
    except Exception as e:  # Helion reports user errors (bad kernel code, wrong args) as exceptions
        raise CaptureError(f"helion could not bind the kernel: {type(e).__name__}: {_first_line(e)}") from None
    cfg = _resolve_config(bound, config)
    exporter = _Exporter(bound, cfg, args)
    fn = bound.kernel.fn
    with bound.env, bound.host_function:
        device_ir = bound.host_function.device_ir
        try:
            infos = device_ir.build_codegen_graphs(cfg)
        except Exception as e:
            raise CaptureError(f"config {dict(cfg)}: {type(e).__name__}: {_first_line(e)}") from None
        graphs = [exporter.graph_json(info) for info in infos]
        block_sizes = exporter.block_sizes_json(graphs)
        if len(device_ir.root_ids) != len(device_ir.grid_block_ids):
            raise CaptureError("each root graph needs one grid of block ids; helion reported "
                               f"{len(device_ir.root_ids)} roots and {len(device_ir.grid_block_ids)} grids")
        grid = [{"root_graph": r, "block_ids": list(ids)}
                for r, ids in zip(device_ir.root_ids, device_ir.grid_block_ids)]
        host_tensors = exporter.host_tensors_json()
        symbols = exporter.symbols_json(block_sizes)
    outputs = _returned_names(fn)
    spec = {
        "version": VERSION,
        "kernel": {
            "name": fn.__name__,
            "file": _display_path(inspect.getsourcefile(fn)),
            "line": fn.__code__.co_firstlineno,
            "static_shapes": bool(bound.kernel.settings.static_shapes),
        },
        "config": json.loads(json.dumps(dict(cfg), default=str)),
        "symbols": symbols,
        "block_sizes": block_sizes,
        "host_tensors": host_tensors,
        "scalars": exporter.scalars_json(),
        "outputs": outputs,
        "grid": grid,
        "graphs": graphs,
    }
    validate_spec(spec)
    return spec


def dump_kernel_json(kernel: Any, path: str, example_args: Sequence[object], config: object = None,
                     indent: int | None = 2) -> dict:
    """Export `kernel` and write its spec to `path` (written whole, or not at all)."""
    spec = export_kernel(kernel, example_args, config)
    text = json.dumps(spec, indent=indent) + "\n"
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    return spec


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
