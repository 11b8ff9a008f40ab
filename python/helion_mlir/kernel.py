"""A JIT-compiled kernel: MLIR in, a callable that runs on CPU torch tensors in place."""

from __future__ import annotations

import ctypes
import json

import torch

from helion2json.encode import DTYPE_NAMES

from . import _lib
from ._lib import HelionMlirError

# LLVM -O2: compiling the examples takes tens of milliseconds either way, and a 512x512 matmul
# runs some 20 times faster than at -O0.
DEFAULT_OPT_LEVEL = 2

TILE_MODES = {"concrete": 0, "symbolic": 1}
# The output types of a kernel's ATen compute: the library's two (HmAtenMode), and the ones
# torch-mlir's backend pipelines make of the torch mode (torch_mlir_bridge.TARGETS).
ATEN_MODES = {"linalg": 0, "torch": 1, "tosa": None, "stablehlo": None}


def generate_spec_mlir(spec: dict, tiles: str = "concrete", aten: str = "linalg") -> str:
    """The verified MLIR the library lowers an interchange spec to. aten="tosa" and "stablehlo" take
    the torch mode through torch-mlir (torch_mlir_bridge.convert), which verifies the result."""
    if tiles not in TILE_MODES:
        raise ValueError(f"tiles={tiles!r}: expected one of {sorted(TILE_MODES)}")
    if aten not in ATEN_MODES:
        raise ValueError(f"aten={aten!r}: expected one of {list(ATEN_MODES)}")
    converted = ATEN_MODES[aten] is None
    mode = ATEN_MODES["torch"] if converted else ATEN_MODES[aten]
    text = _lib.take_string(_lib.call("hm_capi_generate_mlir", json.dumps(spec).encode(), TILE_MODES[tiles],
                                      mode, int(converted)))
    if not converted:
        return text
    from . import torch_mlir_bridge

    why = torch_mlir_bridge.unavailable()
    if why is not None:
        raise HelionMlirError(f"aten={aten!r} needs torch-mlir: {why}")
    try:
        return torch_mlir_bridge.convert(text, aten)
    except torch_mlir_bridge.TorchMlirError as e:
        raise HelionMlirError(str(e)) from None


def verify_mlir(text: str) -> None:
    """Raises HelionMlirError unless `text` parses and verifies with helion-mlir's dialects."""
    _lib.call("hm_capi_verify_mlir", text.encode())


def _check_tensor(i: int, t: object) -> torch.Tensor:
    """What the library cannot check from a pointer: that it points at strided CPU memory."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"argument {i}: expected a torch.Tensor, got {type(t).__name__}")
    if t.device.type != "cpu":
        raise ValueError(f"argument {i}: the tensor is on {t.device}; helion_mlir runs on the CPU")
    if t.layout != torch.strided:
        raise ValueError(f"argument {i}: {t.layout} tensors are not supported; pass a dense tensor")
    if t.dtype not in DTYPE_NAMES:
        raise TypeError(f"argument {i}: dtype {t.dtype} is not supported")
    if t.is_conj() or t.is_neg():
        raise ValueError(f"argument {i}: resolve the tensor's lazy conjugate/negative bit first")
    return t


# A scalar argument travels as a rank-0 view of its value: the ctypes type that holds it, and the
# dtype name the library checks against the function's f64, i64 or i1 argument.
_SCALAR_TYPES = {bool: (ctypes.c_bool, "bool"), int: (ctypes.c_int64, "int64"),
                 float: (ctypes.c_double, "float64")}


def _scalar_box(i: int, value: object) -> tuple[ctypes._SimpleCData, str]:
    kind = next((t for t in (bool, int, float) if isinstance(value, t)), None)
    if kind is None:
        raise TypeError(f"argument {i}: expected a torch.Tensor or a bool, int or float, got "
                        f"{type(value).__name__}")
    ctype, dtype = _SCALAR_TYPES[kind]
    return ctype(value), dtype


class Kernel:
    """A compiled kernel. Call it with one tensor per memref argument and one Python bool, int or
    float per scalar argument, in the function's order; outputs are written in place. Use
    compile_mlir or compile_spec to make one."""

    def __init__(self, handle: int) -> None:
        self._handle = handle

    @property
    def mlir(self) -> str:
        """The MLIR it was compiled from, before the LLVM lowering."""
        return _lib.lib().hm_capi_mlir_text(self._handle).decode()

    @property
    def openmp_runtime(self) -> str:
        """"libgomp" when its tile grid runs on torch's own OpenMP threads (the default), "libomp"
        when on LLVM's runtime (HELION_MLIR_OPENMP=libomp)."""
        return _lib.lib().hm_capi_openmp_runtime(self._handle).decode()

    def __call__(self, *args: torch.Tensor | bool | int | float) -> None:
        self.fixed_call(args)(*args)

    def fixed_call(self, args: tuple) -> FixedCall:
        """A call for arguments laid out as `args` are (ranks, sizes, strides, dtypes), which
        refreshes only the data pointers and scalar values: for launches whose layout is known."""
        names, ranks, tensors, scalar_types = [], [], [], []
        for i, a in enumerate(args):
            if isinstance(a, torch.Tensor):
                tensors.append(_check_tensor(i, a))
                names.append(DTYPE_NAMES[a.dtype])
                ranks.append(a.dim())
            else:
                box, dtype = _scalar_box(i, a)
                scalar_types.append(type(box))
                names.append(dtype)
                ranks.append(0)
        n = max(len(args), 1)
        sizes = [s for t in tensors for s in t.shape]
        strides = [s for t in tensors for s in t.stride()]
        return FixedCall(self, len(args), scalar_types,
                         (ctypes.c_char_p * n)(*[name.encode() for name in names]),
                         (ctypes.c_int64 * n)(*ranks),
                         (ctypes.c_int64 * max(len(sizes), 1))(*sizes),
                         (ctypes.c_int64 * max(len(strides), 1))(*strides))

    def __del__(self) -> None:
        if self._handle:
            _lib.lib().hm_capi_destroy(self._handle)
            self._handle = None


_threads_set = [0]


def _follow_torch_threads() -> None:
    """Runs the kernels' tile grids on as many threads as torch uses (torch.set_num_threads,
    OMP_NUM_THREADS), told to the library only when that changes."""
    threads = torch.get_num_threads()
    if threads != _threads_set[0]:
        _lib.lib().hm_capi_set_threads(threads)
        _threads_set[0] = threads


class FixedCall:
    """Runs a Kernel on arguments with one fixed layout: the library checks the layout against the
    function's signature once (a mismatch is a ValueError here, not a stray access), and each call
    then passes the data pointers only."""

    def __init__(self, kernel: Kernel, nargs: int, scalar_types: list, *arrays: ctypes.Array) -> None:
        self._kernel = kernel  # keeps the handle alive, and it must outlive the binding
        self._nargs = nargs
        self._scalar_types = scalar_types
        err = ctypes.c_void_p()
        self._bound = _lib.lib().hm_capi_bind(kernel._handle, nargs, *arrays, ctypes.byref(err))
        if not self._bound:
            raise ValueError(_lib.take_string(err.value) or "hm_capi_bind failed")
        # Looked up once, not at every call: a launch costs a few microseconds, and the lookups
        # (the library's function, the pointer array's type) were a fifth of them.
        self._data_type = ctypes.c_void_p * max(nargs, 1)
        self._call = _lib.lib().hm_capi_call

    def __call__(self, *args: torch.Tensor | bool | int | float) -> None:
        if len(args) != self._nargs:
            raise ValueError(f"got {len(args)} arguments, the call was bound for {self._nargs}")
        boxes = []  # keep the scalar values alive through the call
        if self._scalar_types:
            pointers = []
            for a in args:
                if isinstance(a, torch.Tensor):
                    pointers.append(a.data_ptr())
                else:
                    boxes.append(self._scalar_types[len(boxes)](a))
                    pointers.append(ctypes.addressof(boxes[-1]))
        else:
            pointers = [a.data_ptr() for a in args]
        _follow_torch_threads()
        # No error pointer on the way: a failed call ran nothing, and is asked again for its message.
        data = self._data_type(*pointers)
        if not self._call(self._bound, data, None):
            err = ctypes.c_void_p()
            self._call(self._bound, data, ctypes.byref(err))
            raise ValueError(_lib.take_string(err.value) or "hm_capi_call failed")

    def __del__(self) -> None:
        if getattr(self, "_bound", None):
            _lib.lib().hm_capi_unbind(self._bound)
            self._bound = None


def compile_mlir(text: str, func: str, opt_level: int = DEFAULT_OPT_LEVEL) -> Kernel:
    """JIT-compiles func.func @func of `text` (memref arguments, as the lowering emits)."""
    return Kernel(_lib.call("hm_capi_compile_mlir", text.encode(), func.encode(), opt_level))


def compile_spec(spec: dict, opt_level: int = DEFAULT_OPT_LEVEL) -> Kernel:
    """Lowers an interchange spec with constant tile sizes and JIT-compiles it."""
    return Kernel(_lib.call("hm_capi_compile_json", json.dumps(spec).encode(), opt_level))


def cache_stats() -> dict[str, int]:
    """How many compiles of this process the on-disk cache of compiled kernels answered ("hits")
    and how many entries it wrote ("writes"). The cache lives in $HELION_MLIR_CACHE_DIR, else
    $XDG_CACHE_HOME/helion-mlir, else ~/.cache/helion-mlir; HELION_MLIR_CACHE=0 turns it off."""
    hits, writes = ctypes.c_uint64(), ctypes.c_uint64()
    _lib.lib().hm_capi_cache_stats(ctypes.byref(hits), ctypes.byref(writes))
    return {"hits": hits.value, "writes": writes.value}


__all__ = ["Kernel", "HelionMlirError", "cache_stats", "compile_mlir", "compile_spec",
           "generate_spec_mlir", "verify_mlir"]
