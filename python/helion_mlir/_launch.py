"""What a compiled device function accepts, checked before every launch.

The module was lowered for the shapes, strides and dtypes in its spec; a launch with anything else
would make it read or write outside a tensor. Each launch is checked against the spec first, and a
mismatch is one line naming the tensor (the kernel's variable name) and the dimension.

The spec itself can index a tensor past its end: `y[tile]` with tiles over `x.size()` and a smaller
`y` (Triton would read there too). Every load, store and atomic that indexes a dimension by a tile is
checked too: the tiled extent must fit in that dimension, unless the access has an extra_mask, whose
tile the lowering clips to the tensor (Triton's masked lanes touch no memory). An hl.grid index is
not: the lowering guards one that may pass its dimension (a grid over max(ha, hc) heads indexing a
tensor of ha under `if h < ha`) as it guards a position the kernel computes (lib/lower/Tiles.c
hm_tile_grid_index_fits).
"""

from __future__ import annotations

import dataclasses

import torch

from ._sizes import SizeExpr

_DTYPES = {
    "float64": torch.float64, "float32": torch.float32, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "int64": torch.int64, "int32": torch.int32, "int16": torch.int16,
    "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool,
    "float8_e4m3fn": torch.float8_e4m3fn, "float8_e5m2": torch.float8_e5m2,
}

_SCALAR_TYPES = {"float": (float, int), "int": (int,), "bool": (bool,)}


class LaunchError(ValueError):
    """A device function launched with arguments it was not compiled for."""


@dataclasses.dataclass
class _Tensor:
    name: str
    index: int  # among the launcher's arguments
    dtype: torch.dtype
    rank: int
    shape: tuple  # int, or None where the size is symbolic
    stride: tuple  # int, or None where the stride is symbolic
    exprs: list  # (dim, text, function of the size symbols) for symbolic sizes


_ACCESS_OPS = ("helion.language.memory_ops.", "helion.language.atomic_ops.")
_LOOP_OPS = "helion.language._tracing_ops._for_loop"  # and _for_loop_step


def _loop_ends(spec: dict) -> dict[int, object]:
    """Per block id of a loop in the device code, where it ends: an int, a size expression, or None
    when the kernel computes it (hl.tile(offsets[g], offsets[g + 1]), an outer tile's end), which
    the lowering clips to each tensor the loop's tiles index (lib/lower/ops/Memory.c). A block that
    loops to different ends keeps its size."""
    graphs = {g["id"]: g for g in spec["graphs"]}
    ends: dict[int, set] = {}
    for graph in spec["graphs"]:
        nodes = {n["name"]: n for n in graph["nodes"]}
        for n in graph["nodes"]:
            if not n["target"].startswith(_LOOP_OPS) or len(n["args"]) < 3 or n["args"][0] not in graphs:
                continue
            for block, end in zip(graphs[n["args"][0]].get("block_ids", []), n["args"][2] or []):
                if isinstance(end, dict) and "node" in end:
                    val = nodes.get(end["node"], {}).get("val") or {}
                    end = val.get("expr") if val.get("type") == "sym" else None
                elif isinstance(end, dict):
                    end = end.get("sym")
                ends.setdefault(block, set()).add(end if isinstance(end, (int, str)) else None)
    return {block: next(iter(found)) for block, found in ends.items() if len(found) == 1}


def _accesses(spec: dict) -> list[tuple[str, int, object]]:
    """(host tensor, dimension, the extent its index spans: an int or a size expression) for every
    dimension a memory op indexes by a tile."""
    # A grid or loop over [begin, end) (hl.tile(4, n)) reaches its end, not just its block's size.
    reach = {b["block_id"]: b["size"] for b in spec["block_sizes"]}
    for grid in spec["grid"]:
        reach.update(zip(grid["block_ids"], grid.get("end", [])))
    reach.update(_loop_ends(spec))
    extent = {}
    for b in reversed(spec["block_sizes"]):  # a symbol's own block is its first one
        extent[b["symbol"]] = reach[b["block_id"]]
    shape = {t["name"]: t["shape"] for t in spec["host_tensors"]}
    found = set()
    for graph in spec["graphs"]:
        nodes = {n["name"]: n for n in graph["nodes"]}
        for n in graph["nodes"]:
            if not n["target"].startswith(_ACCESS_OPS) or len(n["args"]) < 2:
                continue
            ref, index = n["args"][0], n["args"][1]
            tensor = nodes.get(ref["node"]) if isinstance(ref, dict) and "node" in ref else None
            if tensor is None or not tensor["target"].endswith("._host_tensor") or not isinstance(index, list):
                continue
            name = tensor["args"][0]
            dims = [e for e in index if e is not None]  # None inserts a dimension, reads none
            if name not in shape or len(dims) != len(shape[name]):
                continue
            loads = n["target"] == "helion.language.memory_ops.load"
            mask_at = {"helion.language.memory_ops.load": 2, "helion.language.memory_ops.store": 3}.get(n["target"])
            if mask_at is not None and len(n["args"]) > mask_at and n["args"][mask_at] is not None:
                continue  # a masked tile is clipped to the tensor (lib/lower/ops/Memory.c clip_to_source)
            for d, e in enumerate(dims):
                if loads and shape[name][d] == 1:
                    continue  # a load broadcasts a dimension of size 1 over the tile
                source = nodes.get(e["node"]) if isinstance(e, dict) and "node" in e else None
                val = (source or {}).get("val") or {}
                if val.get("type") == "sym" and val.get("expr") in extent and extent[val["expr"]] is not None:
                    found.add((name, d, extent[val["expr"]]))
    return sorted(found, key=str)


class Signature:
    """The launcher arguments a spec's module was compiled for, and how to check them."""

    def __init__(self, spec: dict, nparams: int) -> None:
        self.kernel = spec["kernel"]["name"]
        self.tensors: list[_Tensor] = []
        self.scalars = [(s["arg_index"], s["name"], s["type"]) for s in spec["scalars"]]
        # An int argument that sizes a block's tiles (`hl.tile(n, block_size=bs)`): the module holds the
        # tile size it was compiled for (Helion's Triton code takes it as a constexpr, one compile each).
        tile_of = {b["symbol"]: b["tile_size"] for b in spec["block_sizes"] if isinstance(b.get("tile_size"), int)}
        self.tile_args = [(s["arg_index"], s["name"], tile_of[s["symbol"]]) for s in spec["scalars"]
                          if s["type"] == "int" and s.get("symbol") in tile_of]
        sizes = [s for s in spec["symbols"] if s["kind"] == "size"]
        # Each size symbol is read off the first tensor dimension that is exactly that symbol; a size
        # given by an int argument (`torch.zeros([n])`) is that argument's value (dimension None).
        self.size_names = [s["name"] for s in sizes if "tensor" in s]
        tensors = {t["name"]: t for t in spec["host_tensors"]}
        self.size_dims = [(tensors[s["tensor"]]["arg_index"], s["dim"]) for s in sizes if "tensor" in s]
        int_scalars = {s["symbol"]: s["arg_index"] for s in spec["scalars"] if s.get("symbol") and s["type"] == "int"}
        for name, i in int_scalars.items():
            self.size_names.append(name)
            self.size_dims.append((i, None))
        # Any other symbol that is a host tensor's whole dimension (an unbacked size: a reshape to a
        # list argument's sizes) is that dimension at launch, as the module reads it (memref.dim).
        for t in spec["host_tensors"]:
            for d, dim in enumerate(t["shape"]):
                if isinstance(dim, str) and dim.isidentifier() and dim not in self.size_names:
                    self.size_names.append(dim)
                    self.size_dims.append((t["arg_index"], d))
        # A host tensor sized by a block size (`[cdiv(m, m_block), n]`) has the config's tile size there.
        tiles = {s["name"]: s["value"] for s in spec["symbols"]
                 if s["kind"] == "block_size" and isinstance(s.get("value"), int)}
        # static_shapes=False: Helion binds one kernel for tensors of any strides, and the module
        # reads every argument's strides at run time (lib/lower/Kernel.c).
        any_strides = not spec["kernel"].get("static_shapes", True)
        for t in spec["host_tensors"]:
            exprs = []
            for d, dim in enumerate(t["shape"]):
                if isinstance(dim, str):
                    exprs.append((d, dim, SizeExpr(dim).function(self.size_names, tiles)))
            self.tensors.append(_Tensor(
                name=t["name"], index=t["arg_index"], dtype=_DTYPES[t["dtype"]], rank=len(t["shape"]),
                shape=tuple(d if isinstance(d, int) else None for d in t["shape"]),
                stride=tuple(s if isinstance(s, int) and not any_strides else None for s in t["stride"]),
                exprs=exprs))
        self.nparams = nparams
        self.static = all(not t.exprs and None not in t.stride for t in self.tensors)
        self._layout = [(t, t.index, t.dtype, t.shape, t.stride) for t in self.tensors]
        by_name = {t.name: t for t in self.tensors}
        # A message names a size symbol by the tensor size it is ("x.size(1)").
        self._size_of = {s["name"]: f"{s['tensor']}.size({s['dim']})" for s in spec["symbols"]
                         if s["kind"] == "size" and "tensor" in s}
        self.accesses = []  # (tensor, dim, extent text, function of the size symbols) when symbolic
        self.violation = None  # the first static access that cannot fit, as the launch error
        for name, d, extent in _accesses(spec):
            t = by_name[name]
            if isinstance(extent, int) and t.shape[d] is not None:
                if extent > t.shape[d] and self.violation is None:
                    self.violation = self._extent_message(t, d, t.shape[d], str(extent), extent)
            elif (expr := SizeExpr(str(extent))).symbols - tiles.keys() <= set(self.size_names):
                self.accesses.append((t, d, expr.text, expr.function(self.size_names, tiles)))
            # else: a loop from another tile's begin to its end (hl.tile(t.begin, t.end)) spans what
            # that tile does, whose own accesses are checked; its extent is known only in the kernel.

    def _fail(self, message: str) -> None:
        raise LaunchError(f"{self.kernel}: {message}")

    def _check_tensor(self, t: _Tensor, a: object) -> None:
        what = f"tensor '{t.name}' (device argument {t.index})"
        if not isinstance(a, torch.Tensor):
            self._fail(f"{what}: expected a tensor, got {type(a).__name__}")
        if a.device.type != "cpu":
            self._fail(f"{what}: the tensor is on {a.device}; the mlir backend runs on the CPU")
        if a.dtype != t.dtype:
            self._fail(f"{what}: got {a.dtype}, the kernel was compiled for {t.dtype}")
        if a.dim() != t.rank:
            self._fail(f"{what}: got rank {a.dim()}, the kernel was compiled for rank {t.rank}")
        for d, (size, want) in enumerate(zip(a.shape, t.shape)):
            if want is not None and size != want:
                self._fail(f"{what}: dimension {d} has size {size}, the kernel was compiled for {want}")
        for d, (stride, want) in enumerate(zip(a.stride(), t.stride)):
            if want is not None and stride != want and a.shape[d] != 1:
                self._fail(f"{what}: dimension {d} has stride {stride}, the kernel was compiled for {want}")

    def _readable(self, expr: str) -> str:
        """A size expression with its symbols written as the tensor sizes they are ("x.size(1)"),
        for a message only: sympy's printing of it, which orders the terms by those names."""
        import sympy

        return str(sympy.sympify(expr).subs({sympy.Symbol(k): sympy.Symbol(v) for k, v in self._size_of.items()}))

    def _extent_message(self, t: _Tensor, d: int, size: int, text: str, extent: int) -> str:
        where = "" if text == str(extent) else f" ({text})"
        return (f"{self.kernel}: tensor '{t.name}' (device argument {t.index}): dimension {d} has size {size}, "
                f"but the kernel indexes it with tiles spanning {extent}{where}")

    def check(self, args: tuple) -> None:
        if self.violation is not None:
            raise LaunchError(self.violation)
        if len(args) != self.nparams:
            self._fail(f"the launcher got {len(args)} arguments, the device function takes {self.nparams}")
        # The common case costs two tuple comparisons a tensor (is_cpu: a.device makes an object),
        # the layout read off a list of tuples (a dataclass's attributes cost as much again).
        for t, index, dtype, shape, stride in self._layout:
            a = args[index]
            if (self.static and isinstance(a, torch.Tensor) and a.dtype is dtype and a.shape == shape
                    and a.stride() == stride and a.is_cpu):
                continue
            self._check_tensor(t, a)
        if not self.static or self.accesses:  # accesses: extents of int arguments (hl.tile(begin, end))
            self._check_sizes(args)
        for i, name, kind in self.scalars:
            if not isinstance(args[i], _SCALAR_TYPES[kind]) or (kind != "bool" and isinstance(args[i], bool)):
                self._fail(f"scalar '{name}' (device argument {i}): expected a {kind}, got "
                           f"{type(args[i]).__name__}")
        for i, name, tile in self.tile_args:
            if args[i] != tile:
                self._fail(f"scalar '{name}' (device argument {i}) is the tile size this module was compiled "
                           f"for, {tile}: got {args[i]!r}")

    def _check_sizes(self, args: tuple) -> None:
        """Symbolic sizes: every dimension must agree with the size symbols' values at this launch,
        and every tiled access must fit."""
        values = [args[i] if d is None else args[i].shape[d] for i, d in self.size_dims]
        for t, d, text, fn in self.accesses:
            extent, size = fn(*values), args[t.index].shape[d]
            if extent > size:
                raise LaunchError(self._extent_message(t, d, size, self._readable(text), extent))
        for t in self.tensors:
            for d, text, fn in t.exprs:
                want = fn(*values)
                size = args[t.index].shape[d]
                if size != want:
                    self._fail(f"tensor '{t.name}' (device argument {t.index}): dimension {d} has size "
                               f"{size}, but {text} = {want} at this launch")
