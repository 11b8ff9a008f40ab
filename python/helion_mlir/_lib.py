"""libhelion_mlir.so through ctypes: its flat C API (include/helion-mlir/capi/CAPI.h) and nothing more."""

from __future__ import annotations

import ctypes
import functools
import os
from pathlib import Path


class HelionMlirError(RuntimeError):
    """Lowering, verification or JIT compilation failed; the message is the library's first error."""


_REPO = Path(__file__).resolve().parents[2]

_c_char_pp = ctypes.POINTER(ctypes.c_void_p)
_c_i64_p = ctypes.POINTER(ctypes.c_int64)
_c_u64_p = ctypes.POINTER(ctypes.c_uint64)

# (name, result type, argument types). Strings the library hands out are c_void_p, not c_char_p:
# ctypes would copy a c_char_p result and lose the pointer that hm_capi_free_string needs.
_PROTOTYPES = [
    ("hm_capi_generate_mlir", ctypes.c_void_p,
     [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, _c_char_pp]),
    ("hm_capi_verify_mlir", ctypes.c_int, [ctypes.c_char_p, _c_char_pp]),
    ("hm_capi_compile_json", ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int, _c_char_pp]),
    ("hm_capi_compile_mlir", ctypes.c_void_p,
     [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, _c_char_pp]),
    ("hm_capi_mlir_text", ctypes.c_char_p, [ctypes.c_void_p]),
    ("hm_capi_openmp_runtime", ctypes.c_char_p, [ctypes.c_void_p]),
    ("hm_capi_run", ctypes.c_int,
     [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_void_p),
      ctypes.POINTER(ctypes.c_char_p), _c_i64_p, _c_i64_p, _c_i64_p, _c_char_pp]),
    ("hm_capi_bind", ctypes.c_void_p,
     [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p), _c_i64_p, _c_i64_p, _c_i64_p,
      _c_char_pp]),
    ("hm_capi_call", ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), _c_char_pp]),
    ("hm_capi_unbind", None, [ctypes.c_void_p]),
    ("hm_capi_set_threads", None, [ctypes.c_int]),
    ("hm_capi_cache_stats", None, [_c_u64_p, _c_u64_p]),
    ("hm_capi_supported_ops", ctypes.c_void_p, []),
    ("hm_capi_free_string", None, [ctypes.c_void_p]),
    ("hm_capi_destroy", None, [ctypes.c_void_p]),
]


_NAME = "libhelion_mlir.so"


def library_path() -> Path:
    """$HELION_MLIR_LIB; else the library `pip install .` put beside this module; else the
    repository's build/lib (a source tree, or `pip install -e .`, whose modules stay in python/)."""
    override = os.environ.get("HELION_MLIR_LIB")
    if override:
        return Path(override)
    installed = Path(__file__).resolve().parent / "lib" / _NAME
    return installed if installed.is_file() else _REPO / "build" / "lib" / _NAME


@functools.cache
def lib() -> ctypes.CDLL:
    path = library_path()
    if not path.is_file():
        raise HelionMlirError(f"{path} does not exist: build it with `make build`, "
                              "or point HELION_MLIR_LIB at libhelion_mlir.so")
    try:
        dll = ctypes.CDLL(str(path))
    except OSError as e:
        raise HelionMlirError(f"cannot load {path}: {e}") from None
    for name, restype, argtypes in _PROTOTYPES:
        fn = getattr(dll, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return dll


def take_string(ptr: int | None) -> str | None:
    """Copies a string the library handed out, and frees it."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode()
    finally:
        lib().hm_capi_free_string(ptr)


def supported_ops() -> list[str]:
    """The Device IR and ATen targets the C lowering handles (its op tables)."""
    text = take_string(lib().hm_capi_supported_ops())
    if text is None:
        raise HelionMlirError("hm_capi_supported_ops: out of memory")
    return text.split()


def call(fn_name: str, *args: object, error: type[Exception] = HelionMlirError) -> object:
    """Calls fn_name(*args, &error_out); raises `error` with the library's message on failure
    (a NULL or 0 result)."""
    err = ctypes.c_void_p()
    result = getattr(lib(), fn_name)(*args, ctypes.byref(err))
    message = take_string(err.value)
    if not result:
        raise error(message or f"{fn_name} failed")
    return result
