"""The interchange schema, version 1 (docs/interchange.md), checked on write.

The C core (lib/Spec.c) checks the same structure on read; both sides name the JSON path of a violation.
"""

from __future__ import annotations

import re

from .errors import SpecError

VERSION = 1

GRAPH_KINDS = (
    "root", "for_loop", "reduction_loop", "if", "else", "while_condition", "while_loop", "helper",
)
LOOP_GRAPH_KINDS = ("for_loop", "reduction_loop")
NODE_OPS = ("placeholder", "call_function", "output")
DTYPES = (
    "float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
)
SYMBOL_KINDS = ("block_size", "size", "scalar", "grid_index", "unbacked")
SCALAR_TYPES = ("bool", "int", "float")
ARG_TAGS = ("node", "dtype", "slice", "float", "sym", "device", "enum", "dict")

# Helion ops the schema knows (helion 1.5.1's traced API). ATen ops are any "aten.<op>.<overload>"
# (and "prims.<op>.<overload>", which dtype conversions trace to);
# Python arithmetic on symbolic sizes appears as "operator.<name>".
HELION_OPS = frozenset(
    "helion.language." + name
    for name in """
    _tracing_ops._and _tracing_ops._constant_tensor _tracing_ops._for_loop _tracing_ops._for_loop_step
    _tracing_ops._get_symnode _tracing_ops._host_tensor _tracing_ops._if _tracing_ops._inductor_lowering_extra
    _tracing_ops._mask_to _tracing_ops._new_var _tracing_ops._not _tracing_ops._or _tracing_ops._phi
    _tracing_ops._pre_broadcast_tile _tracing_ops._while_loop
    _gelu_tanh_approx._gelu_erf _gelu_tanh_approx._gelu_tanh_approx
    atomic_ops.atomic_add atomic_ops.atomic_and atomic_ops.atomic_cas atomic_ops.atomic_max
    atomic_ops.atomic_min atomic_ops.atomic_or atomic_ops.atomic_xchg atomic_ops.atomic_xor
    barrier.barrier constexpr.specialize creation_ops.full device_print.device_print
    inline_asm_ops.inline_asm_elementwise loops.grid loops.tile loops.static_range loops.jagged_tile
    matmul_ops.dot matmul_ops.dot_scaled memory_ops.load memory_ops.store
    random_ops._rng_seed random_ops.rand random_ops.rand4x random_ops.randint
    reduce_ops._reduce scan_ops._associative_scan stack_tensor._stack_tensor
    tile_ops.tile_begin tile_ops.tile_block_size tile_ops.tile_count tile_ops.tile_end tile_ops.tile_id
    tile_ops.tile_index tunable_ops.register_block_size tunable_ops.register_tunable
    view_ops.join view_ops.split view_ops.subscript
    """.split()
)

# A symbolic expression's free symbols: identifiers that are not function names ("Max(u0, 1)").
_SYMBOL_RE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()")


def known_target(target: str) -> bool:
    if target in HELION_OPS:
        return True
    if target.startswith(("aten.", "prims.")) and target.count(".") == 2:
        return True
    return target.startswith("operator.") and target.count(".") == 1


def _kind_name(kinds: tuple) -> str:
    names = {dict: "object", list: "array", str: "string", int: "integer", float: "number",
             bool: "bool", type(None): "null"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _type_name(value: object) -> str:
    return _kind_name((type(value),))


def _is(value: object, kinds: tuple) -> bool:
    # JSON booleans are Python bools, which are ints too: an integer field must not take true/false.
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, kinds)


def _require(obj: object, key: str, kind: type | tuple, path: str) -> object:
    if not isinstance(obj, dict):
        raise SpecError(path, f"expected an object, got {_type_name(obj)}")
    if key not in obj:
        raise SpecError(path, f"missing field '{key}'")
    kinds = kind if isinstance(kind, tuple) else (kind,)
    value = obj[key]
    if not _is(value, kinds):
        raise SpecError(f"{path}.{key}", f"expected {_kind_name(kinds)}, got {_type_name(value)}")
    return value


def _optional(obj: dict, key: str, kind: type | tuple, path: str) -> object:
    if key not in obj:
        return None
    return _require(obj, key, kind, path)


def _check_expr(expr: str, path: str, symbols: set[str]) -> None:
    for name in _SYMBOL_RE.findall(expr):
        if name not in symbols:
            raise SpecError(path, f"symbol '{name}' is not in $.symbols")


def _check_dim(dim: object, path: str, symbols: set[str]) -> None:
    if isinstance(dim, bool) or not isinstance(dim, (int, str)):
        raise SpecError(path, f"a size is an integer or a symbolic expression string, got {_type_name(dim)}")
    if isinstance(dim, int) and dim < 0:
        raise SpecError(path, f"negative size {dim}")
    if isinstance(dim, str):
        _check_expr(dim, path, symbols)


def _check_dtype(dtype: str, path: str) -> None:
    if dtype not in DTYPES:
        raise SpecError(path, f"unknown dtype '{dtype}'")


def _check_val(val: object, path: str, symbols: set[str]) -> None:
    kind = _require(val, "type", str, path)
    if kind == "tensor":
        for i, dim in enumerate(_require(val, "shape", list, path)):
            _check_dim(dim, f"{path}.shape[{i}]", symbols)
        _check_dtype(_require(val, "dtype", str, path), f"{path}.dtype")
    elif kind == "sym":
        _check_expr(_require(val, "expr", str, path), f"{path}.expr", symbols)
        dtype = _optional(val, "dtype", str, path)
        if dtype is not None:
            _check_dtype(dtype, f"{path}.dtype")
    elif kind == "int":
        _require(val, "value", int, path)
    elif kind == "bool":
        _require(val, "value", bool, path)
    elif kind == "float":
        value = _require(val, "value", (float, dict), path)
        if isinstance(value, dict) and (list(value) != ["float"] or value["float"] not in ("inf", "-inf", "nan")):
            raise SpecError(f"{path}.value", 'a float value is a number or {"float": "inf" | "-inf" | "nan"}')
    elif kind == "list":
        for i, item in enumerate(_require(val, "items", list, path)):
            _check_val(item, f"{path}.items[{i}]", symbols)
    elif kind != "none":
        raise SpecError(f"{path}.type", f"unknown value type '{kind}'")


def _check_arg(arg: object, path: str, defined: set[str], symbols: set[str]) -> None:
    if isinstance(arg, list):
        for i, item in enumerate(arg):
            _check_arg(item, f"{path}[{i}]", defined, symbols)
        return
    if not isinstance(arg, dict):
        return
    if len(arg) != 1:
        raise SpecError(path, "a tagged argument has exactly one key")
    (tag, value), = arg.items()
    tpath = f"{path}.{tag}"
    if tag not in ARG_TAGS:
        raise SpecError(path, f"unknown argument tag '{tag}'")
    if tag == "node":
        if not isinstance(value, str):
            raise SpecError(tpath, "a node reference is a string")
        if value not in defined:
            raise SpecError(tpath, f"reference to undefined node '{value}'")
    elif tag == "dtype":
        _check_dtype(value, tpath)
    elif tag == "slice":
        if not isinstance(value, list) or len(value) != 3:
            raise SpecError(tpath, "a slice is [start, stop, step]")
        _check_arg(value, tpath, defined, symbols)
    elif tag == "float":
        if value not in ("inf", "-inf", "nan"):
            raise SpecError(tpath, f"a non-finite float is \"inf\", \"-inf\" or \"nan\", got {value!r}")
    elif tag == "sym":
        if not isinstance(value, str):
            raise SpecError(tpath, "a symbolic expression is a string")
        _check_expr(value, tpath, symbols)
    elif tag == "dict":
        if not isinstance(value, dict):
            raise SpecError(tpath, f"expected an object, got {_type_name(value)}")
        for key, item in value.items():
            _check_arg(item, f"{tpath}.{key}", defined, symbols)
    elif not isinstance(value, str):
        raise SpecError(tpath, f"expected a string, got {_type_name(value)}")


def _check_node(node: object, path: str, defined: set[str], symbols: set[str]) -> None:
    name = _require(node, "name", str, path)
    op = _require(node, "op", str, path)
    if op not in NODE_OPS:
        raise SpecError(f"{path}.op", f"unknown node op '{op}'")
    target = _require(node, "target", str, path)
    if op == "call_function" and not known_target(target):
        raise SpecError(f"{path}.target", f"node '{name}': op '{target}' is not known to the schema")
    _check_arg(_require(node, "args", list, path), f"{path}.args", defined, symbols)
    for key, value in _require(node, "kwargs", dict, path).items():
        _check_arg(value, f"{path}.kwargs.{key}", defined, symbols)
    if op != "output":
        _check_val(_require(node, "val", dict, path), f"{path}.val", symbols)
    loc = _optional(node, "loc", (dict, type(None)), path)
    if loc is not None:
        _require(loc, "file", str, f"{path}.loc")
        _require(loc, "line", int, f"{path}.loc")
        _optional(loc, "col", int, f"{path}.loc")
    if name in defined:
        raise SpecError(f"{path}.name", f"node name '{name}' defined twice")
    defined.add(name)


def _check_ids(ids: object, path: str, valid: range | set, what: str) -> None:
    for i, item in enumerate(ids):
        if isinstance(item, bool) or not isinstance(item, int) or item not in valid:
            raise SpecError(f"{path}[{i}]", f"{item!r} is not {what}")


def _check_graph(graph: object, path: str, ngraphs: int, nblocks: int, symbols: set[str]) -> str:
    kind = _require(graph, "kind", str, path)
    if kind not in GRAPH_KINDS:
        raise SpecError(f"{path}.kind", f"unknown graph kind '{kind}'")
    _check_ids(_require(graph, "block_ids", list, path), f"{path}.block_ids", range(nblocks), "a block id")
    for i, name in enumerate(_require(graph, "node_args", list, path)):
        if not isinstance(name, str):
            raise SpecError(f"{path}.node_args[{i}]", f"expected string, got {_type_name(name)}")
    if kind == "while_loop":
        _check_ids([_require(graph, "cond_graph_id", int, path)], f"{path}.cond_graph_id", range(ngraphs),
                   "a graph id")
    if kind == "if":
        for i, pair in enumerate(_require(graph, "branch_outputs", list, path)):
            where = f"{path}.branch_outputs[{i}]"
            if not isinstance(pair, list) or len(pair) != 2 or not all(
                    isinstance(o, str) or (isinstance(o, int) and not isinstance(o, bool) and o >= 0) for o in pair):
                raise SpecError(where, "expected [if, else], each an output index or a node name")
    defined: set[str] = set()
    for i, node in enumerate(_require(graph, "nodes", list, path)):
        _check_node(node, f"{path}.nodes[{i}]", defined, symbols)
    return kind


def validate_spec(spec: object) -> None:
    """Raise SpecError (naming the JSON path) when `spec` is not a valid version-1 interchange spec."""
    version = _require(spec, "version", int, "$")
    if version != VERSION:
        raise SpecError("$.version", f"unsupported version {version} (this is version {VERSION})")
    kernel = _require(spec, "kernel", dict, "$")
    _require(kernel, "name", str, "$.kernel")
    _optional(kernel, "file", str, "$.kernel")
    _optional(kernel, "line", int, "$.kernel")
    _optional(kernel, "static_shapes", bool, "$.kernel")
    _require(spec, "config", dict, "$")

    symbols: set[str] = set()
    for i, sym in enumerate(_require(spec, "symbols", list, "$")):
        spath = f"$.symbols[{i}]"
        name = _require(sym, "name", str, spath)
        if name in symbols:
            raise SpecError(f"{spath}.name", f"symbol '{name}' listed twice")
        symbols.add(name)
        kind = _require(sym, "kind", str, spath)
        if kind not in SYMBOL_KINDS:
            raise SpecError(f"{spath}.kind", f"unknown symbol kind '{kind}'")
        _require(sym, "value", (int, float, dict, type(None)), spath)

    block_sizes = _require(spec, "block_sizes", list, "$")
    for i, bs in enumerate(block_sizes):
        bpath = f"$.block_sizes[{i}]"
        if _require(bs, "block_id", int, bpath) != i:
            raise SpecError(f"{bpath}.block_id", f"block ids are dense: expected {i}")
        _check_expr(_require(bs, "symbol", str, bpath), f"{bpath}.symbol", symbols)
        size = _require(bs, "size", (int, str, type(None)), bpath)
        if size is not None:
            _check_dim(size, f"{bpath}.size", symbols)
        _require(bs, "reduction", bool, bpath)
        tile = _require(bs, "tile_size", (int, type(None)), bpath)
        if tile is not None and tile <= 0:
            raise SpecError(f"{bpath}.tile_size", f"a tile size is positive, got {tile}")
        _require(bs, "grid", bool, bpath)
        _require(bs, "loops", list, bpath)

    names: set[str] = set()
    tensors = _require(spec, "host_tensors", list, "$")
    for i, t in enumerate(tensors):
        tpath = f"$.host_tensors[{i}]"
        name = _require(t, "name", str, tpath)
        if name in names:
            raise SpecError(f"{tpath}.name", f"host tensor '{name}' listed twice")
        names.add(name)
        source = _require(t, "source", str, tpath)
        if source not in ("argument", "allocated"):
            raise SpecError(f"{tpath}.source", f"expected 'argument' or 'allocated', got '{source}'")
        arg_index = _require(t, "arg_index", (int, type(None)), tpath)
        if (source == "argument") != (arg_index is not None):
            raise SpecError(f"{tpath}.arg_index", "an argument has an arg_index; an allocated tensor has null")
        if "fill" in t:
            if source != "allocated":
                raise SpecError(f"{tpath}.fill", "only an allocated tensor has a fill value")
            fill = t["fill"]
            if not isinstance(fill, (bool, int, float)) and not (
                    isinstance(fill, dict) and fill.get("float") in ("inf", "-inf", "nan") and len(fill) == 1):
                raise SpecError(f"{tpath}.fill", f"expected a number or a non-finite float, got {fill!r}")
        shape = _require(t, "shape", list, tpath)
        for j, dim in enumerate(shape):
            _check_dim(dim, f"{tpath}.shape[{j}]", symbols)
        stride = _require(t, "stride", list, tpath)
        for j, dim in enumerate(stride):
            _check_dim(dim, f"{tpath}.stride[{j}]", symbols)
        if len(stride) != len(shape):
            raise SpecError(f"{tpath}.stride", "stride and shape differ in rank")
        _check_dtype(_require(t, "dtype", str, tpath), f"{tpath}.dtype")
    if not any(t["source"] == "argument" for t in tensors):
        raise SpecError("$.host_tensors", "the kernel has no tensor arguments")

    for i, s in enumerate(_require(spec, "scalars", list, "$")):
        spath = f"$.scalars[{i}]"
        _require(s, "name", str, spath)
        _require(s, "arg_index", int, spath)
        if _require(s, "type", str, spath) not in SCALAR_TYPES:
            raise SpecError(f"{spath}.type", f"expected one of {', '.join(SCALAR_TYPES)}, got '{s['type']}'")
        _require(s, "value", (bool, int, float, dict), spath)
        symbol = _require(s, "symbol", (str, type(None)), spath)
        if symbol is not None:
            _check_expr(symbol, f"{spath}.symbol", symbols)

    for i, name in enumerate(_require(spec, "outputs", list, "$")):
        if name not in names:
            raise SpecError(f"$.outputs[{i}]", f"{name!r} is not a host tensor")

    graphs = _require(spec, "graphs", list, "$")
    kinds = []
    for i, graph in enumerate(graphs):
        if _require(graph, "id", int, f"$.graphs[{i}]") != i:
            raise SpecError(f"$.graphs[{i}].id", f"graph ids are dense: expected {i}")
        kinds.append(_check_graph(graph, f"$.graphs[{i}]", len(graphs), len(block_sizes), symbols))
    loop_graphs = {i for i, kind in enumerate(kinds) if kind in LOOP_GRAPH_KINDS}
    for i, bs in enumerate(block_sizes):
        _check_ids(bs["loops"], f"$.block_sizes[{i}].loops", loop_graphs, "the id of a loop graph")

    grids = _require(spec, "grid", list, "$")
    for i, grid in enumerate(grids):
        root = _require(grid, "root_graph", int, f"$.grid[{i}]")
        if not 0 <= root < len(graphs) or kinds[root] != "root":
            raise SpecError(f"$.grid[{i}].root_graph", f"{root} is not the id of a root graph")
        _check_ids(_require(grid, "block_ids", list, f"$.grid[{i}]"), f"$.grid[{i}].block_ids",
                   range(len(block_sizes)), "a block id")
