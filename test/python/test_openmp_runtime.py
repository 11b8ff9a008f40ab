"""Which OpenMP runtime a kernel's tile grid runs on (lib/run/OpenMpRuntime.c): in a process with
torch, the libgomp torch already runs its threads on, through lib/run/GompBridge.c, whether the
kernel was compiled here or linked from the on-disk cache; LLVM's libomp when
HELION_MLIR_OPENMP=libomp asks for it. Every result is checked against torch."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
import torch

import helion_mlir
from helion_mlir._lib import HelionMlirError

ROOT = pathlib.Path(__file__).resolve().parents[2]
# 1000 elements in tiles of 64: 16 tiles over the team's threads, the last one partial.
ADD = (ROOT / "test" / "lit" / "run" / "Inputs" / "add_1d.mlir").read_text()
# Row tiles of 16 over 100 x 70, each a row softmax (the last tile has 4 rows).
SOFTMAX = (ROOT / "test" / "lit" / "run" / "Inputs" / "softmax_rows.mlir").read_text()


def _check_add(kernel: helion_mlir.Kernel) -> None:
    x, y = torch.randn(1000), torch.randn(1000)
    out = torch.full((1000,), float("nan"))
    kernel(x, y, out)
    torch.testing.assert_close(out, x + y, rtol=0, atol=0)


@pytest.mark.parametrize("threads", [1, 2, 3, 16])
def test_the_grid_runs_on_torchs_libgomp(threads, torch_threads):
    """16 threads for 16 tiles gives each one tile; 3 leaves a remainder; every tile is covered
    once whatever the team."""
    kernel = helion_mlir.compile_mlir(ADD, "add")
    assert kernel.openmp_runtime == "libgomp"
    torch_threads(threads)
    _check_add(kernel)


def test_kernels_alternate_with_torchs_parallel_ops():
    """torch's ops and the kernel share one team: neither waits for the other's threads."""
    kernel = helion_mlir.compile_mlir(SOFTMAX, "softmax")
    x = torch.randn(100, 70) * 4
    for _ in range(20):
        big = torch.randn(512, 512)
        torch.mm(big, big)  # a parallel torch op right before the kernel
        out = torch.empty_like(x)
        kernel(x, out)
        torch.testing.assert_close(out, torch.softmax(x, dim=1), rtol=1e-5, atol=1e-6)


def test_a_cached_kernel_runs_on_libgomp_too(tmp_path, monkeypatch, torch_threads):
    monkeypatch.setenv("HELION_MLIR_CACHE_DIR", str(tmp_path))
    before = helion_mlir.kernel.cache_stats()
    helion_mlir.compile_mlir(ADD, "add")
    kernel = helion_mlir.compile_mlir(ADD, "add")  # linked from the entry the first one wrote
    assert helion_mlir.kernel.cache_stats()["hits"] - before["hits"] == 1
    assert kernel.openmp_runtime == "libgomp"
    torch_threads(2)
    _check_add(kernel)


def test_libomp_when_asked(monkeypatch, torch_threads):
    monkeypatch.setenv("HELION_MLIR_OPENMP", "libomp")
    monkeypatch.setenv("HELION_MLIR_CACHE", "0")
    kernel = helion_mlir.compile_mlir(ADD, "add")
    assert kernel.openmp_runtime == "libomp"
    torch_threads(2)
    _check_add(kernel)


def test_an_unknown_runtime_is_one_line(monkeypatch):
    monkeypatch.setenv("HELION_MLIR_OPENMP", "tbb")
    monkeypatch.setenv("HELION_MLIR_CACHE", "0")
    with pytest.raises(HelionMlirError, match=r"^HELION_MLIR_OPENMP=tbb: expected auto, libomp or "
                       r"libgomp$"):
        helion_mlir.compile_mlir(ADD, "add")


def test_libgomp_asked_for_in_a_process_without_it():
    """A process without torch has no libgomp to share: asking for it is an error, and auto takes
    libomp there."""
    child = r"""
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("_lib", sys.argv[1])
lib = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lib)
text = open(sys.argv[2], "rb").read()
try:
    lib.call("hm_capi_compile_mlir", text, b"add", 2)
except lib.HelionMlirError as e:
    print(e)
os.environ["HELION_MLIR_OPENMP"] = "auto"
print(lib.lib().hm_capi_openmp_runtime(lib.call("hm_capi_compile_mlir", text, b"add", 2)).decode())
"""
    env = {**os.environ, "HELION_MLIR_OPENMP": "libgomp", "HELION_MLIR_CACHE": "0"}
    out = subprocess.run([sys.executable, "-c", child, str(ROOT / "python" / "helion_mlir" / "_lib.py"),
                          str(ROOT / "test" / "lit" / "run" / "Inputs" / "add_1d.mlir")],
                         env=env, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "HELION_MLIR_OPENMP=libgomp, but this process has not loaded libgomp (torch loads it; a C "
        "program links it with -fopenmp)", "libomp"]
