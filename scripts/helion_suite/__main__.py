"""scripts/helion-suite DIR: Helion's own tests and examples on the CPU under backend "mlir".

    scripts/helion-suite DIR [--files test_views ...] [--examples NAME ... | --no-examples | --examples-from FILE ...]
                             [--source TEXT] [--test-timeout S] [--example-timeout S] [--out FILE]

DIR is an extracted Helion source tree (its test/ and examples/). Each test file runs in its own
pytest process under `-p helion_mlir.testing`; each example's main() runs in its own process
(helion_suite.example). docs/helion-suite.md (or --out) is written from the results; the runs' output
goes to --log (default: a temporary folder, named in the output), with results.json, which records
the helion-mlir commit it ran on. --examples-from takes the examples' results from earlier runs'
results.json (the examples take most of the time; a later file's examples replace an earlier file's)
and the report names each row's commit.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import watch
from .example import where_path
from .report import write_report
from .tests import run_file

REPO = Path(__file__).resolve().parents[2]
FILES = ["test_broadcasting", "test_control_flow", "test_examples", "test_indexing", "test_loops", "test_masking",
         "test_matmul", "test_reductions", "test_views", "test_atomic_ops", "test_specialize", "test_misc"]
# Helion files that are no kernels to run: the package marker, and the AOT examples (they drive
# Helion's ahead-of-time compiler for Triton, with no reference to check against).
NOT_EXAMPLES = {"__init__", "aot_compile_example", "aot_example"}


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def _too_large(state: dict | None) -> str | None:
    """Why an example killed for memory needs more than this machine has, when its last sample shows
    it: most of the machine's memory resident in the example's process, and no kernel of ours running
    (the example's own GPU-sized inputs and torch's computations on them). Anything else is ours."""
    if not state or state["in_kernel"] or state["resident_gib"] < 0.75 * _memory_gib():
        return None
    return (f"its GPU-sized inputs and torch's own computations on them need more than the machine's "
            f"{_memory_gib():.0f} GiB (killed for memory with no kernel of ours running)")


def _too_slow(state: dict | None, timeout: float) -> str | None:
    """Why an example that timed out is too large for this CPU, when its samples show it: the example's
    own and torch's code (its GPU-sized inputs, its torch reference) took more than half of the time
    limit, and it was in that code, not in a kernel of ours, when it was stopped. Anything else is ours."""
    if not state or state["in_kernel"] or state["other_seconds"] < timeout / 2:
        return None
    return (f"its GPU-sized shapes are too large for this CPU: torch's own computations on them and the example's "
            f"own code took {state['other_seconds']:.0f} of the {timeout:g} s limit (kernels of ours "
            f"{state['kernel_seconds']:.0f} s), and were running when it was stopped")


def _first_to_be_killed() -> None:
    """An example's GPU-sized inputs can exhaust the machine's memory: the out-of-memory killer then
    takes the example, not whatever else runs beside the suite."""
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("1000")


def _run_examples(src: Path, names: list[str], timeout: float, log: Path, commit: str) -> list[dict]:
    env = dict(os.environ, HELION_AUTOTUNE_EFFORT="none")
    results = []
    for name in names:
        out = log / f"example-{name}.jsonl"
        out.write_text("")
        cmd = [sys.executable, "-m", "helion_suite.example", str(src), name, str(out)]
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=timeout, preexec_fn=_first_to_be_killed)
            died = proc.returncode != 0
            text = proc.stdout
        except subprocess.TimeoutExpired as e:
            died, text = None, (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        (log / f"example-{name}.log").write_text(text)
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        rows = [r for r in lines if "result" in r]
        # A check that started and never finished is where the process timed out or died.
        flight = lines[-1] if lines and "started" in lines[-1] else {"kernel": ""}
        during = f" in this check (its inputs: {flight['started']})" if "started" in flight else ""
        state = watch.read(where_path(out), time.time()) if died is not False else None
        end = f"; {watch.describe(state)}" if state else ""
        if died is None:
            row = {"example": name, "kernel": flight["kernel"], "result": f"timed out after {timeout:g} s{during}{end}"}
            reason = _too_slow(state, timeout)
            if reason:
                row["not_on_cpu"] = reason
            rows.append(row)
        elif died:
            status = proc.returncode
            what = (f"the process was killed by SIGKILL, which the out-of-memory killer sends (the machine has "
                    f"{_memory_gib():.0f} GiB)" if status == -9 else f"the process died (exit status {status})")
            row = {"example": name, "kernel": flight["kernel"], "result": what + during + end}
            reason = _too_large(state) if status == -9 else None
            if reason:
                row["not_on_cpu"] = reason
            rows.append(row)
        for r in rows:
            r["seconds"] = round(time.monotonic() - start, 1)
            r["commit"] = commit
        results += rows
        print(f"example {name}: " + "; ".join(f"{r['kernel']}: {r['result']}" for r in rows), flush=True)
    return results


def _replace_examples(rows: list[dict], newer: list[dict]) -> list[dict]:
    """`rows` with every example that `newer` has rows of taking those rows, in its first row's place
    (examples `rows` has not appended at the end)."""
    by_example: dict[str, list[dict]] = {}
    for row in newer:
        by_example.setdefault(row["example"], []).append(row)
    merged = []
    for row in rows:
        if row["example"] not in by_example:
            merged.append(row)
        elif by_example[row["example"]]:
            merged += by_example[row["example"]]
            by_example[row["example"]] = []
    return merged + [row for rest in by_example.values() for row in rest]


def _commit() -> str:
    """The helion-mlir commit this run measures, marked when the work tree differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="scripts/helion-suite", description=__doc__.splitlines()[0])
    p.add_argument("src", type=Path, help="an extracted Helion source tree (test/ and examples/)")
    p.add_argument("--files", nargs="*", default=FILES,
                   help="test files (default: the twelve of issue 10; none: `--files` alone)")
    p.add_argument("--examples", nargs="+", default=None,
                   help="example names (default: all); with --examples-from, the ones to run again")
    p.add_argument("--no-examples", action="store_true")
    p.add_argument("--examples-from", type=Path, nargs="+", default=None,
                   help="earlier runs' results.json whose examples' results the report takes; a later file's "
                        "examples replace the earlier files' rows of the same examples")
    p.add_argument("--source", default="", help="where DIR comes from (written into the report)")
    p.add_argument("--test-timeout", type=float, default=120.0)
    # An example's main() runs its GPU-sized shapes; on two shared CPU cores one that needs more than
    # the tests' own limit is a shape too large for a CPU, and 300 s each made a run of all of them hours.
    p.add_argument("--example-timeout", type=float, default=120.0)
    p.add_argument("--out", type=Path, default=REPO / "docs" / "helion-suite.md")
    p.add_argument("--log", type=Path, default=None)
    opts = p.parse_args(argv)
    src = opts.src.resolve()
    if not (src / "test").is_dir() or not (src / "examples").is_dir():
        print(f"helion-suite: {src} has no test/ and examples/ folders", file=sys.stderr)
        return 2
    if opts.examples_from and opts.no_examples:
        p.error("--examples-from takes the examples' results from an earlier run: not with --no-examples")
    commit = examples_commit = _commit()
    earlier = None
    if opts.examples_from:
        earlier, runs = [], []
        for path in opts.examples_from:
            try:
                run = json.loads(path.read_text())
                rows, run_commit = run["examples"], run.get("examples_commit", run["commit"])
            except (OSError, ValueError, KeyError, TypeError) as e:
                print(f"helion-suite: {path}: not a results.json of a run that recorded its commit ({e})",
                      file=sys.stderr)
                return 2
            for row in rows:
                row.setdefault("commit", run_commit)
            earlier = _replace_examples(earlier, rows)
            runs.append(f"{path} (helion-mlir {run_commit})")
        examples_commit = ", ".join(sorted({row["commit"] for row in earlier}))
    log = opts.log or Path(tempfile.mkdtemp(prefix="helion-suite-"))
    log.mkdir(parents=True, exist_ok=True)
    print(f"helion-suite: logs in {log}", flush=True)
    started = time.monotonic()
    tests = {}
    for name in opts.files:
        t0 = time.monotonic()
        tests[name] = run_file(src, name, opts.test_timeout, log / f"{name}.log")
        counts = {k: sum(o.outcome == k for o in tests[name]) for k in ("passed", "failed", "skipped")}
        print(f"{name}: {counts} in {time.monotonic() - t0:.0f} s", flush=True)
    examples = []
    source = opts.source + (", " if opts.source else "") + f"helion-mlir {commit}"
    if earlier is not None:
        rerun = [row for name in opts.examples or [] for row in _run_examples(src, [name], opts.example_timeout, log, commit)]
        examples = _replace_examples(earlier, rerun)
        rerun_text = f"; {', '.join(opts.examples)} run again on helion-mlir {commit}" if opts.examples else ""
        which = "an earlier run" if len(runs) == 1 else "earlier runs, a later one's examples replacing an earlier one's"
        source += f" (Helion's examples from {which}: {'; '.join(runs)}{rerun_text})"
    elif not opts.no_examples:
        names = opts.examples or sorted(f.stem for f in (src / "examples").glob("*.py") if f.stem not in NOT_EXAMPLES)
        examples = _run_examples(src, names, opts.example_timeout, log, commit)
    (log / "results.json").write_text(json.dumps(
        {"commit": commit, "examples_commit": examples_commit, "tests": {k: [vars(o) for o in v] for k, v in tests.items()}, "examples": examples},
        indent=1))
    write_report(opts.out, tests, examples, source=source, examples_run=earlier is not None or not opts.no_examples,
                 date=datetime.date.today().isoformat(), minutes=(time.monotonic() - started) / 60)
    print(f"helion-suite: wrote {opts.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
