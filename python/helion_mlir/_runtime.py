"""What the module Helion generates for backend "mlir" imports.

Helion's Triton codegen writes the module: a device function in Triton (never run here), decorated
with `device_function(SPEC)`, and the kernel's host code, which calls `launch`. The decorator
compiles the interchange spec through the C core's JIT; `launch` checks the arguments against the
spec and runs the compiled code on them in place. `triton` and `tl` stand in for the names the
generated module references outside the device function; Triton need not be installed.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable

import helion as _helion
import torch

from ._launch import Signature
from .kernel import Kernel, compile_spec


class _Unavailable:
    """A Triton name the generated code may mention but must not call on the host."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> _Unavailable:
        return _Unavailable(f"{self._name}.{attr}")

    def __call__(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError(f"the mlir backend has no host-side {self._name}; the generated host code "
                           "called it")


class _TritonLanguage(_Unavailable):
    """`tl`: module-level `_BLOCK_SIZE_0 = tl.constexpr(32)` keeps the value."""

    @staticmethod
    def constexpr(value: object) -> object:
        return value


class _Triton(_Unavailable):
    """`triton`: the host-side helpers Helion's host code calls, and `jit` for helper functions
    that are defined, never run."""

    @staticmethod
    def cdiv(a: int, b: int) -> int:
        return -(-a // b)

    @staticmethod
    def next_power_of_2(n: int) -> int:
        return 1 if n <= 1 else 1 << (int(n) - 1).bit_length()

    @staticmethod
    def jit(fn: Callable | None = None, **kwargs: object) -> Any:
        return fn if fn is not None else (lambda f: f)


triton = _Triton("triton")
tl = _TritonLanguage("tl")


def cpu_num_sm(reserved_sms: int = 0) -> int:
    """A CPU's answer to helion.runtime.get_num_sm, which Helion gives for GPUs (and Pallas'
    interpreter) only. Host code asks it for the number of workers of a persistent kernel (its
    launch grid, or an hl.grid the kernel strides its tiles over); the module's grid loops run on
    the threads torch uses, so the answer is that thread count."""
    return max(torch.get_num_threads() - reserved_sms, 1)


class _HostRuntime:
    """`helion.runtime` as the host code sees it: Helion's own, except get_num_sm, which answers a
    CPU device with cpu_num_sm."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_helion.runtime, name)

    @staticmethod
    def get_num_sm(device: torch.device, *, reserved_sms: int = 0) -> int:
        if device.type != "cpu":
            return _helion.runtime.get_num_sm(device, reserved_sms=reserved_sms)
        return cpu_num_sm(reserved_sms)


class _HostHelion:
    """`helion` in the generated module: Helion, with _HostRuntime as its runtime."""

    runtime = _HostRuntime()

    def __getattr__(self, name: str) -> Any:
        return getattr(_helion, name)


helion = _HostHelion()


def __getattr__(name: str) -> _Unavailable:
    """The other Triton-only imports of the generated module (libdevice, triton_helpers, ...)."""
    from ._helion import triton_library_names

    if name in triton_library_names():
        return _Unavailable(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _with_tiles(spec: dict, values: dict[int, int]) -> dict:
    """`spec` with the tile sizes its int arguments give (device argument index -> value) set to
    `values`: Helion traced those blocks with a symbolic size, so nothing else depends on them."""
    spec = copy.deepcopy(spec)
    symbols = {s["symbol"]: values[s["arg_index"]] for s in spec["scalars"] if s["arg_index"] in values}
    for s in spec["scalars"]:
        s["value"] = values.get(s["arg_index"], s["value"])
    for b in spec["block_sizes"]:
        b["tile_size"] = symbols.get(b["symbol"], b["tile_size"])
    for sym in spec["symbols"]:
        if sym["kind"] == "block_size" and sym["name"] in symbols:
            sym["value"] = symbols[sym["name"]]
    return spec


class DeviceFunction:
    """A device function compiled from its spec; `launch` runs it."""

    def __init__(self, spec: dict, nparams: int, kernel: Kernel) -> None:
        self.spec = spec
        self.nparams = nparams
        self.kernel = kernel
        self.signature = Signature(spec, nparams)
        self._order = [t["arg_index"] for t in spec["host_tensors"]] + [s["arg_index"] for s in spec["scalars"]]
        self._fixed = None  # a static signature admits one layout: its call arrays are built once
        self._retiled: dict[tuple, DeviceFunction] = {}

    def _for_tiles(self, args: tuple) -> DeviceFunction:
        """The device function compiled for the tile sizes int arguments give at this launch: Helion's
        Triton code takes them as constexprs, compiled for each value, and so is this (once each). A
        value that is no positive int is the signature check's to refuse."""
        tiles = self.signature.tile_args
        if len(args) != self.nparams or all(args[i] == tile for i, _, tile in tiles):
            return self
        if not all(type(args[i]) is int and args[i] > 0 for i, _, _ in tiles):
            return self
        key = tuple(args[i] for i, _, _ in tiles)
        if key not in self._retiled:
            spec = _with_tiles(self.spec, {i: args[i] for i, _, _ in tiles})
            self._retiled[key] = DeviceFunction(spec, self.nparams, compile_spec(spec))
        return self._retiled[key]

    def launch(self, args: tuple) -> None:
        if self.signature.tile_args:
            fn = self._for_tiles(args)
            if fn is not self:
                fn.launch(args)
                return
        self.signature.check(args)
        ordered = [args[i] for i in self._order]
        if not self.signature.static:
            self.kernel(*ordered)
            return
        if self._fixed is None:
            self._fixed = self.kernel.fixed_call(tuple(ordered))
        self._fixed(*ordered)


def device_function(spec_text: str, nparams: int) -> Callable[[Callable], DeviceFunction]:
    """The decorator of the generated device function (`nparams` parameters, the spec's arguments
    among them): compiles the spec when the module loads."""
    spec = json.loads(spec_text)
    compiled = DeviceFunction(spec, nparams, compile_spec(spec))
    return lambda _triton_fn: compiled


def launch(device_fn: DeviceFunction, grid: object, *args: object, **kwargs: object) -> None:
    """The launcher the host code calls. The grid is Helion's; the module's grid loops come from the
    spec. No launcher keywords are generated for this backend (Backend.launcher_keyword_args)."""
    if kwargs:
        raise TypeError(f"the mlir launcher takes no keyword arguments, got {sorted(kwargs)}")
    device_fn.launch(args)
