"""Helion's autotuner end to end under backend "mlir", at each effort: time to tune, the config found,
its time per call against the default config's, and the result checked against torch.

    PYTHONPATH=python .venv/bin/python bench/backend_autotune.py [--effort quick full] [--budget S]

Each effort tunes with an empty HELION_CACHE_DIR (a temporary one), so nothing is reused between
rows. HELION_CAP_REBENCHMARK_REPEAT (default here 200) bounds the final verification's repeats.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import torch

import helion
import helion.language as hl
import helion_mlir  # noqa: F401  (registers the backend)
from helion.autotuner.benchmarking import do_bench_generic


def _row_sums(**settings):
    @helion.kernel(backend="mlir", autotune_progress_bar=False, **settings)
    def row_sums(x: torch.Tensor) -> torch.Tensor:
        m, _ = x.size()
        out = torch.empty([m], dtype=x.dtype)
        for tile in hl.tile(m):
            out[tile] = x[tile, :].sum(-1)
        return out

    return row_sums


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--effort", nargs="+", default=["quick", "full"], choices=["quick", "full"])
    p.add_argument("--budget", type=int, default=None, help="autotune_budget_seconds")
    opts = p.parse_args()
    os.environ.setdefault("HELION_CAP_REBENCHMARK_REPEAT", "200")
    x = torch.randn(512, 700)
    default = _row_sums(autotune_effort="none")
    default(x)
    base_ms = do_bench_generic(lambda: default(x))
    print(f"{'effort':8} {'tune s':>8} {'ms/call':>9} {'default ms':>11}  config")
    for effort in opts.effort:
        with tempfile.TemporaryDirectory(prefix="helion_mlir_autotune") as cache:
            os.environ["HELION_CACHE_DIR"] = cache
            kernel = _row_sums(autotune_effort=effort, autotune_budget_seconds=opts.budget)
            start = time.perf_counter()
            result = kernel(x)
            seconds = time.perf_counter() - start
            torch.testing.assert_close(result, x.sum(-1), rtol=1e-4, atol=1e-4)
            ms = do_bench_generic(lambda: kernel(x))
            print(f"{effort:8} {seconds:8.1f} {ms:9.4f} {base_ms:11.4f}  {kernel.bind((x,))._config}")


if __name__ == "__main__":
    main()
