"""Where the time goes for each example: capture, lowering, JIT compilation, and one run of the compiled
kernel next to PyTorch eager on the same inputs.

    PYTHONPATH=python:scripts .venv/bin/python bench/pipeline.py [-k NAME] [--repeat N]

Speed goals are read off this table, never asserted in tests. Run times are medians over --repeat
runs after one warm-up; the JIT builds at -O2.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch

from helion2json import export_kernel
from helion2json.cli import eval_args, load_entry
from helion_mlir.api import _Compiled
from helion_mlir.kernel import generate_spec_mlir
from examples_suite.cases import discover


def _seconds(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def _median_run(fn, args, repeat: int) -> float:
    fn(args)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_case(case, repeat: int) -> dict[str, float]:
    torch.manual_seed(0)
    kernel, namespace = load_entry(case.entry)
    args = tuple(eval_args(list(case.args), namespace))
    capture, spec = _seconds(export_kernel, kernel, args, case.config)
    lower, _ = _seconds(generate_spec_mlir, spec)
    compile_, compiled = _seconds(_Compiled, spec)
    reference = namespace.get(case.ref or "reference")
    row = {"capture": capture, "lower": lower, "compile": compile_, "run": _median_run(compiled, args, repeat)}
    if callable(reference):
        row["torch"] = _median_run(lambda a: reference(*a), args, repeat)
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-k", dest="keyword", help="only the cases whose name contains this")
    p.add_argument("--repeat", type=int, default=20, help="timed runs per kernel (default 20)")
    opts = p.parse_args(argv)
    cases = [c for c in discover() if not c.skip and (not opts.keyword or opts.keyword in c.name)]
    print(f"{'case':32} {'capture':>9} {'lower':>9} {'compile':>9} {'run':>9} {'torch':>9}   (ms)")
    for case in cases:
        row = bench_case(case, opts.repeat)
        cells = " ".join(f"{row[k] * 1e3:9.2f}" if k in row else f"{'-':>9}"
                         for k in ("capture", "lower", "compile", "run", "torch"))
        print(f"{case.name:32} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
