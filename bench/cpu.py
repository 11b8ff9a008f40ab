"""Our CPU code next to PyTorch eager, in one run: a fixed set of example kernels, each timed side by
side with the torch ops eager would run for it, on the same cores and inputs.

    PYTHONPATH=python:scripts .venv/bin/python bench/cpu.py [-k NAME] [--seconds S] [--out docs/performance.md]

For each kernel: our median time and torch's (interleaved, so both see the same machine load), the
ratio torch / ours (> 1: we are faster), the throughput (GB/s of the tensors read and written, or
GFLOP/s) next to the limits measured in the same run (a 64 MB copy, torch.mm), the speed-up of our
code from 1 thread to all, and the compile times. Every result is checked against torch first.
Speed goals are read off this table, never asserted in tests.
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from helion2json import export_kernel
from helion2json.cli import load_entry
from helion_mlir import _lib
from helion_mlir.api import _Compiled
from helion_mlir.kernel import DEFAULT_OPT_LEVEL, cache_stats, compile_spec, generate_spec_mlir

import backend_call  # bench/, beside this script

REPO = Path(__file__).resolve().parents[1]
OVERHEAD_CALLS = 5000


def _attention_ref(q, k, v):
    return F.scaled_dot_product_attention(q, k, v)


def _jagged_inputs(rows: int, dim: int):
    torch.manual_seed(0)
    lengths = torch.randint(0, 2 * 256, (rows,))
    offsets = torch.cat([torch.zeros(1, dtype=torch.int64), lengths.cumsum(0)])
    return torch.randn(int(offsets[-1]), dim), offsets


def _jagged_ref(values, offsets):
    return torch.segment_reduce(values, "sum", offsets=offsets, axis=0)


@dataclasses.dataclass
class Bench:
    name: str
    entry: str  # examples/FILE.py:KERNEL
    make_args: Callable[[], tuple]
    eager: Callable  # what PyTorch eager runs for the same result
    config: dict | None = None
    flops: Callable[[tuple], float] | None = None  # None: a memory-bound kernel, reported in GB/s
    tol: float = 1e-4


def _randn(*shape):
    return lambda: (torch.randn(*shape),)


def _mm_flops(a):
    return 2.0 * a[0].shape[0] * a[0].shape[1] * a[1].shape[1]


BENCHES = [
    Bench("add 4M", "examples/add.py:add", lambda: (torch.randn(2048, 2048), torch.randn(2048, 2048)),
          torch.add, {"block_sizes": [32, 256]}),
    Bench("pointwise chain 4M (gelu, tanh, silu, exp)", "examples/pointwise.py:activations",
          _randn(2048, 2048),
          lambda x: F.gelu(x) - F.gelu(x, approximate="tanh") + F.silu(x) * torch.sigmoid(x)
          + torch.relu(x) - torch.tanh(x) + torch.exp(-x * x), {"block_sizes": [32, 256]}),
    Bench("softmax 4096x1000", "examples/softmax.py:softmax", _randn(4096, 1000),
          lambda x: torch.softmax(x, dim=1), {"block_sizes": [4]}),
    Bench("row sum (row_stats) 4096x1000", "examples/reductions.py:row_stats", _randn(4096, 1000),
          lambda x: torch.stack([x.sum(-1), x.mean(-1), x.amax(-1) - x.amin(-1)], dim=1),
          {"block_sizes": [4]}),
    Bench("layer norm 4096x1000", "examples/reductions.py:layer_norm",
          lambda: (torch.randn(4096, 1000), torch.randn(1000), torch.randn(1000)),
          lambda x, w, b: F.layer_norm(x, [x.size(1)], w, b, eps=1e-5), {"block_sizes": [4]}),
    Bench("layer norm, looped reduction 4096x1000", "examples/reductions.py:layer_norm",
          lambda: (torch.randn(4096, 1000), torch.randn(1000), torch.randn(1000)),
          lambda x, w, b: F.layer_norm(x, [x.size(1)], w, b, eps=1e-5),
          {"block_sizes": [4], "reduction_loops": [256]}),
    Bench("rms norm 4096x1000", "examples/reductions.py:rms_norm",
          lambda: (torch.randn(4096, 1000), torch.randn(1000)),
          lambda x, w: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w, {"block_sizes": [4]}),
    Bench("cross entropy 4096x1000", "examples/reductions.py:cross_entropy",
          lambda: (lambda x: (x, torch.randint(0, 1000, (4096,)), x.reshape(-1)))(torch.randn(4096, 1000)),
          lambda x, labels, _flat: F.cross_entropy(x, labels, reduction="none"), {"block_sizes": [4]}),
    Bench("cumsum (scan) 4096x1000", "examples/scan.py:cumsum_rows", _randn(4096, 1000),
          lambda x: torch.cumsum(x, dim=1), {"block_sizes": [4]}, tol=1e-3),
    Bench("jagged sum 512 rows x 128", "examples/jagged.py:jagged_sum", lambda: _jagged_inputs(512, 128),
          _jagged_ref, {"block_sizes": [128, 64]}, tol=1e-3),
    Bench("matmul 512^3", "examples/matmul.py:matmul", lambda: (torch.randn(512, 512), torch.randn(512, 512)),
          torch.mm, {"block_sizes": [64, 64, 16]}, _mm_flops, tol=1e-3),
    Bench("matmul 1000^3", "examples/matmul.py:matmul", lambda: (torch.randn(1000, 1000), torch.randn(1000, 1000)),
          torch.mm, {"block_sizes": [64, 64, 16]}, _mm_flops, tol=1e-3),
    Bench("bmm 16x256x256x256", "examples/matmul_family.py:baddbmm_loop",
          lambda: (torch.randn(16, 256, 256), torch.randn(16, 256, 256)), torch.bmm,
          {"block_sizes": [1, 64, 64, 16]},
          lambda a: 2.0 * a[0].shape[0] * a[0].shape[1] * a[0].shape[2] * a[1].shape[2], tol=1e-3),
    Bench("flash attention 8x512x64", "examples/attention.py:attention",
          lambda: (torch.randn(8, 512, 64), torch.randn(8, 512, 64), torch.randn(8, 512, 64)),
          _attention_ref, {"block_sizes": [1, 64, 64]},
          lambda a: 4.0 * a[0].shape[0] * a[0].shape[1] * a[1].shape[1] * a[0].shape[2], tol=1e-3),
]


def _outputs(result) -> tuple:
    return result if isinstance(result, tuple) else (result,)


def _nbytes(args, outputs) -> int:
    return sum(t.numel() * t.element_size() for t in (*args, *outputs) if isinstance(t, torch.Tensor))


def _side_by_side(fns: list[Callable[[], object]], seconds: float) -> list[float]:
    """Median seconds per call of each function, the calls interleaved so that the load other
    processes put on the machine falls on all of them alike."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    deadline = time.perf_counter() + seconds
    while len(times[0]) < 5 or (time.perf_counter() < deadline and len(times[0]) < 2000):
        for fn, bucket in zip(fns, times):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def _with_threads(n: int, fn: Callable[[], object]) -> Callable[[], object]:
    def run():
        previous = torch.get_num_threads()
        torch.set_num_threads(n)
        try:
            return fn()
        finally:
            torch.set_num_threads(previous)
    return run


def measure_limits(seconds: float) -> dict[str, float]:
    src = torch.randn(16 * 1024 * 1024)  # 64 MB
    dst = torch.empty_like(src)
    a, b = torch.randn(1000, 1000), torch.randn(1000, 1000)
    copy, mm = _side_by_side([lambda: dst.copy_(src), lambda: torch.mm(a, b)], seconds)
    return {"copy_gbs": 2 * src.numel() * 4 / copy / 1e9, "mm_gflops": 2e9 / mm / 1e9}


def _keep_freed_memory() -> None:
    """Both sides allocate their outputs at every call (an eager op, and our launcher's host
    tensors). glibc gives a freed block of 16 MB back to the kernel (mmap), so the next call faults
    fresh pages in: whichever side's block the allocator happens to reuse ran 10x faster than the
    other (add 4M: 0.9 or 10 ms, either side, from run to run). Keeping freed memory in the heap
    times the kernels, not the page faults."""
    libc = ctypes.CDLL(None)
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)  # glibc's largest
    libc.mallopt(m_trim_threshold, 1 << 30)


def _seconds(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


LOWERINGS = 20


def _lowering(spec: dict) -> float:
    """JSON text -> verified MLIR text in the library, median of LOWERINGS with the process's one
    context (created by an earlier compile or lowering, so not counted here)."""
    text = json.dumps(spec).encode()
    generate = lambda: _lib.take_string(_lib.call("hm_capi_generate_mlir", text, 0, 0, 0))  # noqa: E731
    generate()
    return statistics.median(_seconds(generate)[0] for _ in range(LOWERINGS))


def _triton_codegen(kernel, args, config: dict | None) -> float:
    """Helion's own code generation for the same bound kernel and config (to_triton_code, which
    needs no GPU), median of three after one."""
    import helion

    bound = kernel.bind(args)
    cfg = helion.Config(**(config or {}))
    bound.to_triton_code(cfg)
    return statistics.median(_seconds(bound.to_triton_code, cfg)[0] for _ in range(3))


def run_bench(b: Bench, seconds: float) -> dict:
    torch.manual_seed(0)
    kernel, _ = load_entry(b.entry)
    args = b.make_args()
    capture, spec = _seconds(export_kernel, kernel, args, b.config)
    generate_spec_mlir(spec)  # the context, once per process
    lower = _lowering(spec)
    triton = _triton_codegen(kernel, args, b.config)
    compile_, compiled = _seconds(_Compiled, spec)
    first, ours = _seconds(compiled, args)
    # The bench's cache directory starts empty, so the compile above wrote the entry this reads.
    hits = cache_stats()["hits"]
    cached, _ = _seconds(_Compiled, spec)
    if cache_stats()["hits"] != hits + 1:
        raise SystemExit(f"{b.name}: the second compile did not come from the on-disk cache")
    expected = _outputs(b.eager(*args))
    for got, want in zip(_outputs(ours), expected):
        err = (got.float() - want.float()).abs().max().item()
        bound = b.tol * (1 + want.float().abs().max().item())
        if not err <= bound:
            raise SystemExit(f"{b.name}: result differs from torch by {err:.3g} (allowed {bound:.3g})")
    n = torch.get_num_threads()
    ours_all, torch_all = _side_by_side([lambda: compiled(args), lambda: b.eager(*args)], seconds)
    ours_one, torch_one = _side_by_side([_with_threads(1, lambda: compiled(args)),
                                         _with_threads(1, lambda: b.eager(*args))], seconds / 2)
    work = b.flops(args) if b.flops else _nbytes(args, _outputs(ours))
    return {"name": b.name, "capture": capture, "lower": lower, "triton": triton, "compile": compile_,
            "first": first,
            "cached": cached,
            "ours": ours_all, "torch": torch_all, "ours_1": ours_one, "torch_1": torch_one,
            "threads": n, "rate": work / ours_all / 1e9, "flops": b.flops is not None}


def opt_levels(b: Bench, seconds: float) -> dict:
    """Compile time (lowered MLIR -> LLVM -> machine code) and run time at each LLVM opt level,
    compiled without the on-disk cache."""
    torch.manual_seed(0)
    kernel, _ = load_entry(b.entry)
    args = b.make_args()
    spec = export_kernel(kernel, args, b.config)
    compiled = _Compiled(spec)
    row = {"name": b.name}
    runs = []
    os.environ["HELION_MLIR_CACHE"] = "0"
    try:
        for level in (1, 2, 3):
            row[f"compile_O{level}"], compiled.kernel = _seconds(compile_spec, spec, level)
            runs.append((lambda c, k: (lambda: (setattr(c, "kernel", k), c(args))))(compiled, compiled.kernel))
    finally:
        del os.environ["HELION_MLIR_CACHE"]
    for level, t in zip((1, 2, 3), _side_by_side(runs, seconds)):
        row[f"run_O{level}"] = t
    return row


def second_process_compile(b: Bench) -> dict[str, float]:
    """The same kernel in a fresh process, whose compile the on-disk cache answers: loading the
    library (once per process), the compile (read and link the cached code) and the first call."""
    def child(mode: str):
        out = subprocess.run([sys.executable, __file__, mode, str(BENCHES.index(b))],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    return {**child("--child-compile"), "eager_first": child("--child-eager")}


def child_compile(index: int) -> dict[str, float]:
    b = BENCHES[index]
    kernel, _ = load_entry(b.entry)
    args = b.make_args()
    spec = export_kernel(kernel, args, b.config)
    load, _ = _seconds(_lib.lib)
    compile_, _ = _seconds(compile_spec, spec)
    launcher, compiled = _seconds(_Compiled, spec)
    first, _ = _seconds(compiled, args)
    # A later call's output reuses the memory the first one's freed; the first faults its pages in,
    # as torch's first call in a fresh process does (child_eager).
    later = min(_seconds(compiled, args)[0] for _ in range(3))
    if cache_stats()["hits"] != 2:
        raise SystemExit(f"{b.name}: the second process compiled the kernel instead of reading the cache")
    return {"load": load, "compile": compile_, "launcher": launcher, "first": first, "later": later}


def child_eager(index: int) -> float:
    """PyTorch eager's first call of the same kernel in a fresh process: the page faults of its
    fresh output, and torch's own first-call work."""
    b = BENCHES[index]
    args = b.make_args()
    return _seconds(b.eager, *args)[0]


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def report(rows: list[dict], limits: dict[str, float], second: dict | None, note: str,
           levels: list[dict], overhead: list[tuple[str, float]]) -> str:
    ms = lambda s: f"{s * 1e3:.2f}"  # noqa: E731
    lines = [
        "# CPU performance",
        "",
        "Written by `bench/cpu.py` (`PYTHONPATH=python:scripts .venv/bin/python bench/cpu.py`); do not edit by hand.",
        "",
        f"This run: {_cpu_name()}, {os.cpu_count()} cores, torch {torch.__version__} with "
        f"{rows[0]['threads'] if rows else torch.get_num_threads()} threads. {note}",
        "Ours and torch are timed interleaved in the same process on the same inputs, so compare the",
        "ratios (torch / ours: above 1 we are faster), not the absolute times, between runs. Both",
        "allocate their outputs at every call; freed memory stays in the heap (mallopt), so neither pays",
        "page faults for them.",
        "",
        f"Limits measured in this run: a 64 MB copy at **{limits['copy_gbs']:.1f} GB/s** (read + write), "
        f"`torch.mm` 1000^3 at **{limits['mm_gflops']:.1f} GFLOP/s**.",
        "",
        "| kernel | ours (ms) | torch (ms) | torch / ours | ours: throughput | of the limit | "
        "ours 1 thread -> all | torch / ours, 1 thread |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["flops"]:
            rate, limit = f"{r['rate']:.1f} GFLOP/s", r["rate"] / limits["mm_gflops"]
        else:
            rate, limit = f"{r['rate']:.1f} GB/s", r["rate"] / limits["copy_gbs"]
        lines.append(f"| {r['name']} | {ms(r['ours'])} | {ms(r['torch'])} | **{r['torch'] / r['ours']:.2f}** | "
                     f"{rate} | {limit:.0%} | {r['ours_1'] / r['ours']:.2f}x | {r['torch_1'] / r['ours_1']:.2f} |")
    lines += [
        "",
        "Compile times (ms): capture is helion2json's Device IR capture; lower is JSON text -> verified",
        f"MLIR text in the library with its context reused (median of {LOWERINGS}); to_triton_code is Helion's",
        "own code generation for the same bound kernel and config (median of 3), and the next column how",
        "many times faster our lowering is; compile is JSON -> lowered -> LLVM -> JIT'd code; first is the",
        "first call; cached is the same compile again, answered by the on-disk cache (read, check and link",
        "the machine code).",
        "",
        "| kernel | capture | lower | to_triton_code | to_triton_code / lower | compile | first call | cached |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['name']} | {ms(r['capture'])} | {ms(r['lower'])} | {ms(r['triton'])} | "
                     f"{r['triton'] / r['lower']:.0f}x | {ms(r['compile'])} | {ms(r['first'])} | "
                     f"{ms(r['cached'])} |")
    if levels:
        lines += [
            "",
            f"LLVM opt levels (the default is O{DEFAULT_OPT_LEVEL}): compile (lowered module -> machine code, ms) and",
            "run time relative to O2 (interleaved medians; below 1 is faster).",
            "",
            "| kernel | compile O1 | O2 | O3 | run O1 / O2 | O3 / O2 |",
            "|---|---|---|---|---|---|",
        ]
        for r in levels:
            lines.append(f"| {r['name']} | {ms(r['compile_O1'])} | {ms(r['compile_O2'])} | {ms(r['compile_O3'])} | "
                         f"{r['run_O1'] / r['run_O2']:.2f} | {r['run_O3'] / r['run_O2']:.2f} |")
    if second is not None:
        lines += ["", f"`{rows[0]['name']}` in a second process, the compile answered by the on-disk cache: "
                  f"compile (`compile_spec`) **{ms(second['compile'])} ms**; `helion_mlir.run`'s setup for it "
                  f"(`_Compiled`: the same compile, a second hit, and the launcher's extent checks) "
                  f"{ms(second['launcher'])} ms; first call {ms(second['first'])} ms, against "
                  f"{ms(second['later'])} ms for the fastest of three later ones, whose outputs reuse the "
                  f"memory the first one's freed, and {ms(second['eager_first'])} ms for torch's first call "
                  f"in a fresh process, which faults in its output too (loading libhelion_mlir.so before "
                  f"all this, once per process: {ms(second['load'])} ms)."]
    if overhead:
        us = dict(overhead)
        above = us[backend_call.LAUNCH] - us[backend_call.PLAIN_CTYPES]
        lines += ["", "Per-call overhead (`bench/backend_call.py`: a kernel adding 4 floats, so the time is the "
                  f"overhead; medians): our launch is **{above:.2f} us** above a plain ctypes call.", "",
                  "| what | us |", "|---|---|"]
        lines += [f"| {name} | {t:.2f} |" for name, t in overhead]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-k", dest="keyword", help="only the kernels whose name contains this")
    p.add_argument("--seconds", type=float, default=1.0, help="timing budget per kernel (default 1 s)")
    p.add_argument("--out", help="write the report here (default: docs/performance.md for a full run)")
    p.add_argument("--note", default="The machine was shared with other processes during this run.",
                   help="a line for the report's header about this run's conditions")
    p.add_argument("--opt-levels", action="store_true", help="also compare LLVM -O1/-O2/-O3")
    p.add_argument("--child-compile", type=int, help=argparse.SUPPRESS)
    p.add_argument("--child-eager", type=int, help=argparse.SUPPRESS)
    opts = p.parse_args(argv)
    if opts.child_compile is not None:
        print(json.dumps(child_compile(opts.child_compile)))
        return 0
    if opts.child_eager is not None:
        print(json.dumps(child_eager(opts.child_eager)))
        return 0
    # A cache of our own, empty: the compile times are compiles, and the second process reads what
    # this one wrote.
    os.environ["HELION_MLIR_CACHE_DIR"] = tempfile.mkdtemp(prefix="helion-mlir-bench-")
    _keep_freed_memory()
    benches = [b for b in BENCHES if not opts.keyword or opts.keyword in b.name]
    limits = measure_limits(opts.seconds)
    print(f"limits: copy {limits['copy_gbs']:.1f} GB/s, torch.mm {limits['mm_gflops']:.1f} GFLOP/s", flush=True)
    rows = []
    for b in benches:
        r = run_bench(b, opts.seconds)
        rows.append(r)
        print(f"{r['name']:44} ours {r['ours'] * 1e3:8.2f} ms  torch {r['torch'] * 1e3:8.2f} ms  "
              f"torch/ours {r['torch'] / r['ours']:6.2f}  1->all {r['ours_1'] / r['ours']:4.2f}x  "
              f"compile {r['compile'] * 1e3:7.1f} ms", flush=True)
    levels = [opt_levels(b, opts.seconds / 2) for b in benches] if opts.opt_levels else []
    second = second_process_compile(benches[0]) if benches else None
    overhead = [] if opts.keyword else backend_call.measure(OVERHEAD_CALLS)
    out = opts.out or (None if opts.keyword else str(REPO / "docs" / "performance.md"))
    text = report(rows, limits, second, opts.note, levels, overhead)
    if out:
        Path(out).write_text(text)
        print(f"wrote {out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
