"""The on-disk cache of compiled kernels (lib/run/Cache.c): a second process links the code the first
compiled instead of compiling it, a damaged entry is compiled and written again, and the cache
can be turned off. Every result is checked against torch."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
import torch

from helion_mlir.api import _Compiled
from helion_mlir.kernel import cache_stats, compile_mlir, compile_spec

ROOT = pathlib.Path(__file__).resolve().parents[2]
AXPBY = ROOT / "test" / "fixtures" / "pointwise_axpby.json"

# A second process as lean as can be (no torch, no Helion: importing them would take seconds): it
# loads helion_mlir/_lib.py on its own, compiles the axpby fixture (tensors, float and int scalars:
# the whole signature travels through the cache), runs it on the inputs the test wrote, writes the
# output for the test to check against torch, and prints its cache counts.
CHILD = r"""
import ctypes, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("_lib", sys.argv[1])
lib = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lib)
compiled = lib.call("hm_capi_compile_json", open(sys.argv[2], "rb").read(), 2)
n = 100 * 77
x = (ctypes.c_float * n).from_buffer_copy(open(sys.argv[3], "rb").read())
y = (ctypes.c_float * n).from_buffer_copy(open(sys.argv[4], "rb").read())
out = (ctypes.c_float * n)()
alpha, beta, shift = ctypes.c_double(0.5), ctypes.c_double(-2.25), ctypes.c_int64(3)
data = (ctypes.c_void_p * 6)(*[ctypes.addressof(v) for v in (x, y, out, alpha, beta, shift)])
dtypes = (ctypes.c_char_p * 6)(b"float32", b"float32", b"float32", b"float64", b"float64", b"int64")
ranks = (ctypes.c_int64 * 6)(2, 2, 2, 0, 0, 0)
sizes = (ctypes.c_int64 * 6)(100, 77, 100, 77, 100, 77)
strides = (ctypes.c_int64 * 6)(77, 1, 77, 1, 77, 1)
lib.call("hm_capi_run", compiled, 6, data, dtypes, ranks, sizes, strides)
open(sys.argv[5], "wb").write(bytes(out))
hits, writes = ctypes.c_uint64(), ctypes.c_uint64()
lib.lib().hm_capi_cache_stats(ctypes.byref(hits), ctypes.byref(writes))
print(json.dumps({"hits": hits.value, "writes": writes.value}))
"""


def _child(cache: pathlib.Path, **env: str) -> dict[str, int]:
    x, y = torch.randn(100, 77), torch.randn(100, 77)
    files = [cache.parent / f"{name}.bin" for name in ("x", "y", "out")]
    files[0].write_bytes(x.numpy().tobytes())
    files[1].write_bytes(y.numpy().tobytes())
    environ = {**os.environ, "HELION_MLIR_CACHE_DIR": str(cache), **env}
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "python" / "helion_mlir" / "_lib.py"),
                          str(AXPBY), *map(str, files)], env=environ, cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    got = torch.frombuffer(bytearray(files[2].read_bytes()), dtype=torch.float32).reshape(100, 77)
    torch.testing.assert_close(got, 0.5 * x - 2.25 * y + 3)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _entries(cache: pathlib.Path) -> list[pathlib.Path]:
    return sorted(cache.glob("*.hmk"))


@pytest.fixture
def cache(tmp_path):
    (tmp_path / "cache").mkdir()
    return tmp_path / "cache"


def test_a_second_process_links_the_cached_kernel(cache):
    assert _child(cache) == {"hits": 0, "writes": 1}
    [entry] = _entries(cache)
    assert _child(cache) == {"hits": 1, "writes": 0}
    assert _entries(cache) == [entry]
    assert not list(cache.glob(".entry-*"))  # no temporary file is left behind


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_a_damaged_entry_is_compiled_again(cache, damage):
    _child(cache)
    [entry] = _entries(cache)
    data = bytearray(entry.read_bytes())
    if damage == "flip":  # inside the object code
        data[len(data) * 2 // 3] ^= 0x40
    elif damage == "truncate":
        del data[len(data) // 2:]
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"\x7fELF" + bytes(range(256)) * 8)
    entry.write_bytes(bytes(data))
    assert _child(cache) == {"hits": 0, "writes": 1}
    assert _child(cache) == {"hits": 1, "writes": 0}


def test_off_writes_nothing(cache):
    assert _child(cache, HELION_MLIR_CACHE="0") == {"hits": 0, "writes": 0}
    assert _entries(cache) == []


def test_the_key_holds_the_opt_level_and_the_source(tmp_path, monkeypatch):
    """In one process too: a compile reads the directory, not a table in memory."""
    monkeypatch.setenv("HELION_MLIR_CACHE_DIR", str(tmp_path))
    spec = json.loads(AXPBY.read_text())
    before = cache_stats()
    x, y = torch.randn(100, 77), torch.randn(100, 77)
    for level in (1, 2, 1):
        compiled = _Compiled(spec)
        compiled.kernel = compile_spec(spec, level)
        torch.testing.assert_close(compiled((x, y, 0.5, -2.25, 3)), 0.5 * x - 2.25 * y + 3)
    text = compiled.kernel.mlir
    kernel = compile_mlir(text, "axpby")
    out = torch.empty(100, 77)
    kernel(x, y, out, 0.5, -2.25, 3)
    torch.testing.assert_close(out, 0.5 * x - 2.25 * y + 3)
    after = cache_stats()
    # _Compiled's own O2 compile, O1, O2 and O1 again, and the module's text: three entries.
    assert len(_entries(tmp_path)) == 3
    assert after["writes"] - before["writes"] == 3
    assert after["hits"] - before["hits"] == 4
    # The module's text came back with the cached kernel.
    assert compile_mlir(text, "axpby").mlir == text
