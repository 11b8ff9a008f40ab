"""The interchange schema, version 1 (docs/interchange.md), checked on write.

The C core (lib/Spec*.c) checks the same rules on read; both sides name the JSON path of a violation.
"""

from __future__ import annotations

from .errors import SpecError

VERSION = 1

GRAPH_KINDS = (
    "root", "for_loop", "reduction_loop", "if", "else", "while_condition", "while_loop", "helper",
)
NODE_OPS = ("placeholder", "call_function", "output")
DTYPES = (
    "float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
)

# Helion ops the schema knows (helion 1.5.1's traced API). ATen ops are any "aten.<op>.<overload>";
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


def known_target(target: str) -> bool:
    if target in HELION_OPS:
        return True
    if target.startswith("aten.") and target.count(".") == 2:
        return True
    return target.startswith("operator.") and target.count(".") == 1


def _require(obj: dict, key: str, kind: type | tuple, path: str) -> object:
    if not isinstance(obj, dict):
        raise SpecError(path, "expected an object")
    if key not in obj:
        raise SpecError(path, f"missing field '{key}'")
    value = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if bool in (type(value),) and bool not in kinds:
        raise SpecError(f"{path}.{key}", f"expected {_kind_name(kinds)}, got bool")
    if not isinstance(value, kinds):
        raise SpecError(f"{path}.{key}", f"expected {_kind_name(kinds)}, got {type(value).__name__}")
    return value


def _kind_name(kinds: tuple) -> str:
    names = {dict: "object", list: "array", str: "string", int: "integer", float: "number",
             bool: "bool", type(None): "null"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _check_dim(dim: object, path: str, symbols: set[str]) -> None:
    if isinstance(dim, bool) or not isinstance(dim, (int, str)):
        raise SpecError(path, "a size is an integer or a symbolic expression string")
    if isinstance(dim, int) and dim < 0:
        raise SpecError(path, f"negative size {dim}")


def _check_val(val: object, path: str, symbols: set[str]) -> None:
    kind = _require(val, "type", str, path)
    if kind == "tensor":
        shape = _require(val, "shape", list, path)
        for i, dim in enumerate(shape):
            _check_dim(dim, f"{path}.shape[{i}]", symbols)
        dtype = _require(val, "dtype", str, path)
        if dtype not in DTYPES:
            raise SpecError(f"{path}.dtype", f"unknown dtype '{dtype}'")
    elif kind == "sym":
        _require(val, "expr", str, path)
    elif kind in ("int", "float", "bool"):
        if "value" not in val:
            raise SpecError(path, "missing field 'value'")
    elif kind == "list":
        for i, item in enumerate(_require(val, "items", list, path)):
            _check_val(item, f"{path}.items[{i}]", symbols)
    elif kind != "none":
        raise SpecError(f"{path}.type", f"unknown value type '{kind}'")


def _check_arg(arg: object, path: str, defined: set[str]) -> None:
    if isinstance(arg, list):
        for i, item in enumerate(arg):
            _check_arg(item, f"{path}[{i}]", defined)
    elif isinstance(arg, dict):
        if len(arg) != 1:
            raise SpecError(path, "a tagged argument has exactly one key")
        (tag, value), = arg.items()
        if tag == "node":
            if value not in defined:
                raise SpecError(path, f"reference to undefined node '{value}'")
        elif tag == "dtype":
            if value not in DTYPES:
                raise SpecError(path, f"unknown dtype '{value}'")
        elif tag == "slice":
            if not isinstance(value, list) or len(value) != 3:
                raise SpecError(path, "a slice is [start, stop, step]")
            _check_arg(value, f"{path}.slice", defined)
        elif tag == "float":
            if value not in ("inf", "-inf", "nan"):
                raise SpecError(path, f"non-finite float must be inf, -inf or nan, got {value!r}")
        elif tag == "dict":
            for key, item in value.items():
                _check_arg(item, f"{path}.dict.{key}", defined)
        elif tag not in ("sym", "device", "enum"):
            raise SpecError(path, f"unknown argument tag '{tag}'")


def _check_graph(graph: dict, path: str, graph_ids: set[int], symbols: set[str]) -> None:
    kind = _require(graph, "kind", str, path)
    if kind not in GRAPH_KINDS:
        raise SpecError(f"{path}.kind", f"unknown graph kind '{kind}'")
    _require(graph, "block_ids", list, path)
    defined: set[str] = set()
    for i, node in enumerate(_require(graph, "nodes", list, path)):
        npath = f"{path}.nodes[{i}]"
        name = _require(node, "name", str, npath)
        op = _require(node, "op", str, npath)
        if op not in NODE_OPS:
            raise SpecError(f"{npath}.op", f"unknown node op '{op}'")
        target = _require(node, "target", str, npath)
        if op == "call_function" and not known_target(target):
            raise SpecError(f"{npath}.target", f"node '{name}': op '{target}' is not known to the schema")
        _check_arg(_require(node, "args", list, npath), f"{npath}.args", defined)
        kwargs = _require(node, "kwargs", dict, npath)
        for key, value in kwargs.items():
            _check_arg(value, f"{npath}.kwargs.{key}", defined)
        if op != "output":
            _check_val(_require(node, "val", dict, npath), f"{npath}.val", symbols)
        if "loc" in node and node["loc"] is not None:
            _require(node["loc"], "file", str, f"{npath}.loc")
            _require(node["loc"], "line", int, f"{npath}.loc")
        if name in defined:
            raise SpecError(f"{npath}.name", f"node name '{name}' defined twice")
        defined.add(name)


def validate_spec(spec: object) -> None:
    """Raise SpecError (naming the JSON path) when `spec` is not a valid version-1 interchange spec."""
    path = "$"
    version = _require(spec, "version", int, path)
    if version != VERSION:
        raise SpecError("$.version", f"unsupported version {version} (this is version {VERSION})")
    kernel = _require(spec, "kernel", dict, path)
    _require(kernel, "name", str, "$.kernel")

    symbols: set[str] = set()
    for i, sym in enumerate(_require(spec, "symbols", list, path)):
        spath = f"$.symbols[{i}]"
        symbols.add(_require(sym, "name", str, spath))
        _require(sym, "kind", str, spath)

    for i, bs in enumerate(_require(spec, "block_sizes", list, path)):
        bpath = f"$.block_sizes[{i}]"
        if _require(bs, "block_id", int, bpath) != i:
            raise SpecError(f"{bpath}.block_id", f"block ids are dense: expected {i}")
        _require(bs, "symbol", str, bpath)
        _require(bs, "reduction", bool, bpath)
        _require(bs, "tile_size", (int, type(None)), bpath)

    names: set[str] = set()
    tensors = _require(spec, "host_tensors", list, path)
    for i, t in enumerate(tensors):
        tpath = f"$.host_tensors[{i}]"
        names.add(_require(t, "name", str, tpath))
        shape = _require(t, "shape", list, tpath)
        for j, dim in enumerate(shape):
            _check_dim(dim, f"{tpath}.shape[{j}]", symbols)
        stride = _require(t, "stride", list, tpath)
        if len(stride) != len(shape):
            raise SpecError(f"{tpath}.stride", "stride and shape differ in rank")
        if _require(t, "dtype", str, tpath) not in DTYPES:
            raise SpecError(f"{tpath}.dtype", f"unknown dtype '{t['dtype']}'")
        if _require(t, "source", str, tpath) not in ("argument", "allocated"):
            raise SpecError(f"{tpath}.source", "expected 'argument' or 'allocated'")
    if not any(t["source"] == "argument" for t in tensors):
        raise SpecError("$.host_tensors", "the kernel has no tensor arguments")
    for i, name in enumerate(_require(spec, "outputs", list, path)):
        if name not in names:
            raise SpecError(f"$.outputs[{i}]", f"'{name}' is not a host tensor")

    graphs = _require(spec, "graphs", list, path)
    graph_ids = set(range(len(graphs)))
    for i, graph in enumerate(graphs):
        if _require(graph, "id", int, f"$.graphs[{i}]") != i:
            raise SpecError(f"$.graphs[{i}].id", f"graph ids are dense: expected {i}")
        _check_graph(graph, f"$.graphs[{i}]", graph_ids, symbols)
    for i, grid in enumerate(_require(spec, "grid", list, path)):
        root = _require(grid, "root_graph", int, f"$.grid[{i}]")
        if root not in graph_ids or graphs[root]["kind"] != "root":
            raise SpecError(f"$.grid[{i}].root_graph", f"{root} is not a root graph")
        _require(grid, "block_ids", list, f"$.grid[{i}]")
