"""The extents the device code indexes each tensor with, checked before helion_mlir.run launches a
kernel: `bias[tile_n]` with tiles over `x.size(1)` reads past the end of a smaller bias (a 2 x 50M
input with a 3-element bias read far outside it and crashed). The loads, stores and atomics that
index a dimension by a tile or grid index are found in the spec as the backend's launcher finds them
(_launch._accesses); here they are checked against the buffers helion_mlir.run passes, allocated ones
included."""

from __future__ import annotations

from ._launch import LaunchError, _accesses
from ._sizes import SizeExpr


class IndexedExtents:
    """For one compiled spec: every (tensor, dimension) a tile or grid index spans, and how far."""

    def __init__(self, spec: dict) -> None:
        self.kernel = spec["kernel"]["name"]
        self.names = [s["name"] for s in spec["symbols"] if s["kind"] == "size"]
        # A size symbol's example value stands in until a call gives the real one.
        self.examples = {s["name"]: s["value"] for s in spec["symbols"] if s["kind"] == "size"}
        # An int argument (hl.tile(begin, end)) is its example value: helion_mlir.run compiles once
        # per scalar values, so that is the call's.
        for s in spec["scalars"]:
            if s["type"] == "int" and s.get("symbol"):
                self.names.append(s["symbol"])
                self.examples[s["symbol"]] = s["value"]
        # An extent that depends on other values (a block the kernel sizes itself) is not known
        # before the launch; the kernel's own bounds are all there is for it.
        self.accesses = [(name, d, expr.text, expr.function(self.names))
                         for name, d, extent in _accesses(spec)
                         for expr in [SizeExpr(str(extent))]
                         if expr.symbols <= set(self.names)]

    def check(self, buffers: dict, sizes: dict[str, int]) -> None:
        """`buffers`: each host tensor by name; `sizes`: the size symbols' values at this call."""
        values = [sizes.get(n, self.examples[n]) for n in self.names]
        for name, d, text, extent_of in self.accesses:
            extent, size = extent_of(*values), buffers[name].shape[d]
            if extent > size:
                where = "" if text == str(extent) else f" ({text})"
                raise LaunchError(f"{self.kernel}: tensor '{name}': dimension {d} has size {size}, but the "
                                  f"kernel indexes it with tiles spanning {extent}{where}")
