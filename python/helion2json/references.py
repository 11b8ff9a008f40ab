"""The cross-reference checks of a spec: rules that relate one part of it to another, which JSON Schema
cannot express (docs/interchange.md, "Cross-reference checks"). They run on a structurally valid spec.
"""

from __future__ import annotations

import re

from .errors import SpecError

LOOP_GRAPH_KINDS = ("for_loop", "reduction_loop")

# The arguments that name graphs, (position, keyword, kinds of graph the op calls), of each op that
# calls graphs. `_while_loop`'s orelse graph is left out: Helion 1.5.1 refuses `while ... else`.
_OPS = "helion.language."
GRAPH_ARGS = {
    _OPS + "_tracing_ops._for_loop": ((0, "graph_id", LOOP_GRAPH_KINDS),),
    _OPS + "_tracing_ops._for_loop_step": ((0, "graph_id", LOOP_GRAPH_KINDS),),
    _OPS + "_tracing_ops._if": ((1, "if_graph_id", ("if",)), (2, "else_graph_id", ("else",))),
    _OPS + "_tracing_ops._while_loop": ((0, "cond_graph_id", ("while_condition",)),
                                        (1, "body_graph_id", ("while_loop",))),
    _OPS + "reduce_ops._reduce": ((0, "combine_graph_id", ("helper",)),),
    _OPS + "scan_ops._associative_scan": ((0, "combine_graph_id", ("helper",)),),
}

# A symbolic expression's free symbols: identifiers that are not function names ("Max(u0, 1)").
# ASCII, as the C reader reads them (lib/spec/Names.c).
_SYMBOL_RE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()", re.ASCII)


def _fail(path: str, message: str) -> None:
    raise SpecError(path, message)


def _expr(expr: object, path: str, symbols: set[str]) -> None:
    if isinstance(expr, str):
        for name in _SYMBOL_RE.findall(expr):
            if name not in symbols:
                _fail(path, f"symbol {name!r} is not in $.symbols")


def _dims(dims: list, path: str, symbols: set[str]) -> None:
    for i, dim in enumerate(dims):
        _expr(dim, f"{path}[{i}]", symbols)


def _val(val: dict, path: str, symbols: set[str]) -> None:
    if val["type"] == "tensor":
        _dims(val["shape"], f"{path}.shape", symbols)
    elif val["type"] == "sym":
        _expr(val["expr"], f"{path}.expr", symbols)
    elif val["type"] == "list":
        for i, item in enumerate(val["items"]):
            _val(item, f"{path}.items[{i}]", symbols)


def _arg(arg: object, path: str, defined: set[str], symbols: set[str]) -> None:
    if isinstance(arg, list):
        for i, item in enumerate(arg):
            _arg(item, f"{path}[{i}]", defined, symbols)
    elif isinstance(arg, dict):
        (tag, value), = arg.items()
        if tag == "node" and value not in defined:
            _fail(f"{path}.node", f"reference to undefined node {value!r}")
        elif tag == "sym":
            _expr(value, f"{path}.sym", symbols)
        elif tag == "slice":
            _arg(value, f"{path}.slice", defined, symbols)
        elif tag == "dict":
            _kwargs(value, f"{path}.dict", defined, symbols)


def _kwargs(kwargs: dict, path: str, defined: set[str], symbols: set[str]) -> None:
    for key, value in kwargs.items():
        _arg(value, f"{path}.{key}", defined, symbols)


def _id(value: int, path: str, valid, what: str) -> None:
    if value not in valid:
        _fail(path, f"{value} is not {what}")


def _ids(ids: list, path: str, valid, what: str) -> None:
    for i, item in enumerate(ids):
        _id(item, f"{path}[{i}]", valid, what)


def _unique(names, path_of, what: str) -> None:
    seen = set()
    for i, name in enumerate(names):
        if name in seen:
            _fail(path_of(i), f"{what} {name!r} listed twice")
        seen.add(name)


def _graph_calls(graph: dict, path: str, kinds: list[str]):
    """(callee, path of the argument) of each graph the nodes of `graph` call, checked against kinds."""
    for n, node in enumerate(graph["nodes"]):
        for position, keyword, want in GRAPH_ARGS.get(node["target"], ()) if node["op"] == "call_function" else ():
            if position < len(node["args"]):
                value, where = node["args"][position], f"{path}.nodes[{n}].args[{position}]"
            else:
                value, where = node["kwargs"].get(keyword), f"{path}.nodes[{n}].kwargs.{keyword}"
            if not isinstance(value, int) or isinstance(value, bool):
                continue
            if not 0 <= value < len(kinds) or kinds[value] not in want:
                article = "an" if want[0][0] in "aeiou" else "a"
                _fail(where, f"{value} is not the id of {article} {' or '.join(want)} graph")
            yield value, where


def _no_cycles(calls: list[list[tuple[int, str]]]) -> None:
    """No graph runs the graph that calls it, directly or through others."""
    def reaches(start: int, goal: int) -> bool:
        seen, stack = set(), [start]
        while stack:
            g = stack.pop()
            if g == goal:
                return True
            if g not in seen:
                seen.add(g)
                stack.extend(callee for callee, _ in calls[g])
        return False

    for caller, edges in enumerate(calls):
        for callee, where in edges:
            if reaches(callee, caller):
                _fail(where, f"graph {caller} calls itself" if callee == caller
                      else f"graph {callee} calls back into graph {caller}, which calls it")


def _jagged(bs: dict, path: str, graphs: list[dict], nblocks: int) -> None:
    """A jagged block's parents are other blocks, and each loop over it runs over it alone and takes
    the parent tensor as its first argument."""
    i = bs["block_id"]
    _ids(bs["jagged_parents"], f"{path}.jagged_parents", set(range(nblocks)) - {i}, "the id of another block")
    for j, g in enumerate(bs["loops"]):
        if graphs[g]["block_ids"] != [i] or not graphs[g]["node_args"]:
            _fail(f"{path}.loops[{j}]", f"graph {g} is not a loop over jagged block {i} alone that takes its "
                  "parent tensor")


def check_references(spec: dict) -> None:
    """Raise SpecError at the first cross-reference violation of a structurally valid spec."""
    symbols = {s["name"] for s in spec["symbols"]}
    _unique((s["name"] for s in spec["symbols"]), lambda i: f"$.symbols[{i}].name", "symbol")
    nblocks, graphs = len(spec["block_sizes"]), spec["graphs"]
    kinds = [g["kind"] for g in graphs]
    for i, sym in enumerate(spec["symbols"]):
        if "block_id" in sym:
            _id(sym["block_id"], f"$.symbols[{i}].block_id", range(nblocks), "a block id")

    loop_graphs = {i for i, kind in enumerate(kinds) if kind in LOOP_GRAPH_KINDS}
    for i, bs in enumerate(spec["block_sizes"]):
        path = f"$.block_sizes[{i}]"
        if bs["block_id"] != i:
            _fail(f"{path}.block_id", f"block ids are dense: expected {i}")
        _expr(bs["symbol"], f"{path}.symbol", symbols)
        _expr(bs["size"], f"{path}.size", symbols)
        _ids(bs["loops"], f"{path}.loops", loop_graphs, "the id of a loop graph")
        if "jagged_parents" in bs:
            _jagged(bs, path, graphs, nblocks)

    tensors = spec["host_tensors"]
    _unique((t["name"] for t in tensors), lambda i: f"$.host_tensors[{i}].name", "host tensor")
    for i, t in enumerate(tensors):
        path = f"$.host_tensors[{i}]"
        _dims(t["shape"], f"{path}.shape", symbols)
        _dims(t["stride"], f"{path}.stride", symbols)
        if len(t["stride"]) != len(t["shape"]):
            _fail(f"{path}.stride", "stride and shape differ in rank")
    arguments = [(f"$.host_tensors[{i}].arg_index", t["arg_index"]) for i, t in enumerate(tensors)
                 if t["source"] == "argument"]
    arguments += [(f"$.scalars[{i}].arg_index", s["arg_index"]) for i, s in enumerate(spec["scalars"])]
    _unique((index for _, index in arguments), lambda i: arguments[i][0], "argument position")
    for i, s in enumerate(spec["scalars"]):
        _expr(s["symbol"], f"$.scalars[{i}].symbol", symbols)
    names = {t["name"] for t in tensors}
    for i, name in enumerate(spec["outputs"]):
        if name not in names:
            _fail(f"$.outputs[{i}]", f"{name!r} is not a host tensor")

    for i, grid in enumerate(spec["grid"]):
        root = grid["root_graph"]
        if root >= len(graphs) or kinds[root] != "root":
            _fail(f"$.grid[{i}].root_graph", f"{root} is not the id of a root graph")
        _ids(grid["block_ids"], f"$.grid[{i}].block_ids", range(nblocks), "a block id")
        for key in ("begin", "end"):
            if key in grid and len(grid[key]) != len(grid["block_ids"]):
                _fail(f"$.grid[{i}].{key}", "a grid's begin and end have one entry per block id")
            _dims(grid.get(key, []), f"$.grid[{i}].{key}", symbols)

    calls = []
    for i, graph in enumerate(graphs):
        path = f"$.graphs[{i}]"
        if graph["id"] != i:
            _fail(f"{path}.id", f"graph ids are dense: expected {i}")
        _ids(graph["block_ids"], f"{path}.block_ids", range(nblocks), "a block id")
        if "cond_graph_id" in graph:
            _id(graph["cond_graph_id"], f"{path}.cond_graph_id",
                 {g for g, kind in enumerate(kinds) if kind == "while_condition"}, "the id of a while_condition graph")
        defined: set[str] = set()
        for n, node in enumerate(graph["nodes"]):
            npath = f"{path}.nodes[{n}]"
            _arg(node["args"], f"{npath}.args", defined, symbols)
            _kwargs(node["kwargs"], f"{npath}.kwargs", defined, symbols)
            if "val" in node:
                _val(node["val"], f"{npath}.val", symbols)
            if node["name"] in defined:
                _fail(f"{npath}.name", f"node name {node['name']!r} defined twice")
            defined.add(node["name"])
        calls.append(list(_graph_calls(graph, path, kinds)))
    _no_cycles(calls)
