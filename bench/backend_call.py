"""Per-call overhead of a kernel called under backend "mlir", next to a plain Python function call.

    PYTHONPATH=python .venv/bin/python bench/backend_call.py [--repeat N]

A repeated call runs Helion's dispatch, its generated host code, the launch check and the JIT'd
code; the kernel here adds 4 floats, so the time is the overhead. Each row is the median over
--repeat calls of a compiled, warmed-up kernel; speed goals are read off this table, never asserted.
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import time

import torch

import helion
import helion.language as hl
import helion_mlir  # noqa: F401  (registers the backend)
from helion_mlir import _runtime


@helion.kernel(backend="mlir", config=helion.Config(block_sizes=[4]))
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + y[tile]
    return out


def plain(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return x


def _median_us(fn, args, repeat: int) -> float:
    for _ in range(10):
        fn(*args)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def measure(repeat: int) -> list[tuple[str, float]]:
    """(what, median us) for each row, the kernel's result checked against torch first."""
    x, y = torch.randn(4), torch.randn(4)
    torch.testing.assert_close(add(x, y), x + y)
    device_fn = next(v for v in add.bind((x, y)).compile_config(add.configs[0]).__globals__.values()
                     if isinstance(v, _runtime.DeviceFunction))
    out = torch.empty_like(x)
    labs = ctypes.CDLL(None).labs  # a C function that does nothing worth timing
    labs.argtypes, labs.restype = [ctypes.c_long], ctypes.c_long
    rows = [
        ("plain Python call", plain, (x, y)),
        (PLAIN_CTYPES, labs, (1,)),
        ("torch.add (eager)", torch.add, (x, y)),
        ("launch check only", device_fn.signature.check, ((x, y, out),)),
        (LAUNCH, device_fn.launch, ((x, y, out),)),
        ("add(x, y) under backend mlir", add, (x, y)),
    ]
    return [(name, _median_us(fn, args, repeat)) for name, fn, args in rows]


PLAIN_CTYPES = "plain ctypes call"
LAUNCH = "launch (check + JIT call)"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=2000)
    opts = p.parse_args()
    print(f"{'what':32} {'median us':>10}")
    for name, us in measure(opts.repeat):
        print(f"{name:32} {us:10.2f}")


if __name__ == "__main__":
    main()
