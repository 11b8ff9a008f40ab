"""`scripts/coverage`: run the example suite and write docs/coverage.md from what actually happened.

For every CHECKS case: the `check` stages (lowered, verified, ran, matched), whether the kernel also
lowers and verifies with symbolic tiles, and how far `check --aten=X` gets with each output type
torch-mlir reads or makes (torch, tosa, stablehlo: verified by torch-mlir, lowered on to linalg by it,
run, matched). For every op: whether the C lowering's op tables handle it, and which example kernels
use it.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from helion_mlir import check, torch_mlir_bridge
from helion_mlir._lib import supported_ops

from .cases import REPO, Case, discover

TOOLS = REPO / "build" / "bin"
STAGES = ("lowered", "verified", "ran", "matched")
# The output types besides linalg, in the order of their columns.
OUTPUT_TYPES = ("torch", "tosa", "stablehlo")


@dataclass
class Result:
    case: Case
    stages: dict[str, bool] = field(default_factory=dict)
    modes: dict[str, bool] = field(default_factory=dict)
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # type -> (how far, check's line)
    summary: str = ""
    targets: set[str] = field(default_factory=set)


def _run_check(case: Case, aten: str, cache: dict) -> tuple[dict[str, bool], str]:
    """check names each stage before it runs it and replaces the name with "<stage> FAILED: ..." when
    it fails, so a stage passed when its bare name is among the parts."""
    parts, ok = check.check(check.build_parser().parse_args(case.check_argv() + ["--aten", aten]), cache)
    stages = {s: s in parts for s in ("lowered", "verified", "ran")}
    stages["matched"] = ok
    return stages, parts[0] if len(parts) == 1 else f"{parts[0]} {', '.join(parts[1:])}"


def _how_far(stages: dict[str, bool]) -> str:
    """An output type's cell: matched PyTorch; verified but not run (torch-mlir does not lower it on
    to linalg); or the first stage it failed."""
    if stages["matched"]:
        return "matches"
    if stages["ran"]:
        return "**mismatch**"
    return "verifies" if stages["verified"] else "**no**"


def _lowers(spec_path: Path, flag: str) -> bool:
    lowered = subprocess.run([str(TOOLS / "helion-mlir"), str(spec_path), flag], capture_output=True, text=True)
    if lowered.returncode != 0:
        return False
    opt = subprocess.run([str(TOOLS / "helion-opt"), "-", "-o", "/dev/null"], input=lowered.stdout,
                         capture_output=True, text=True)
    return opt.returncode == 0


def run_case(case: Case) -> Result:
    result = Result(case)
    if case.skip:
        result.summary = f"skipped: {case.skip}"
        return result
    cache: dict = {}  # the capture and the reference's outputs, made once for every output type
    result.stages, result.summary = _run_check(case, "linalg", cache)
    if "capture" not in cache:
        return result
    spec = cache["capture"][2]
    result.targets = {n["target"] for g in spec["graphs"] for n in g["nodes"] if n["op"] == "call_function"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kernel.json"
        path.write_text(json.dumps(spec))
        result.modes = {"symbolic": _lowers(path, "--tiles=symbolic")}
    for aten in OUTPUT_TYPES:
        stages, line = _run_check(case, aten, cache)
        result.outputs[aten] = (_how_far(stages), line)
    return result


def _mark(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "**no**")


def _kernel_table(results: list[Result]) -> list[str]:
    rows = ["| case | lowered | verified | ran | matched | symbolic tiles | " + " | ".join(OUTPUT_TYPES) + " | result |",
            "|---|---|---|---|---|---|" + "---|" * len(OUTPUT_TYPES) + "---|"]
    for r in results:
        cells = [_mark(r.stages.get(s)) for s in STAGES] + [_mark(r.modes.get("symbolic"))]
        cells += [r.outputs[t][0] if t in r.outputs else "—" for t in OUTPUT_TYPES]
        summary = r.summary.replace("|", "\\|")
        rows.append(f"| `{r.case.name}` | " + " | ".join(cells) + f" | {summary} |")
    return rows


def _op_table(results: list[Result], handled: list[str]) -> list[str]:
    used: dict[str, list[str]] = {}
    for r in results:
        for target in r.targets:
            used.setdefault(target, [])
            if r.case.kernel not in used[target]:
                used[target].append(r.case.kernel)
    rows = ["| op | lowered to linalg | used by |", "|---|---|---|"]
    for target in sorted(set(handled) | set(used)):
        kernels = ", ".join(f"`{k}`" for k in sorted(used.get(target, []))) or "—"
        rows.append(f"| `{target}` | {_mark(target in handled)} | {kernels} |")
    return rows


def _torch_mlir() -> str:
    why = torch_mlir_bridge.unavailable()
    if why is not None:
        return f"torch-mlir was not available ({why}), so none of its output types ran"
    return f"torch-mlir {importlib.metadata.version('torch-mlir')}"


def _output_types(results: list[Result]) -> list[str]:
    ran = [r for r in results if r.outputs]
    lines = ["| output type | matches | verifies, not run | **no** | **mismatch** |", "|---|---|---|---|---|"]
    for t in OUTPUT_TYPES:
        count = {k: sum(1 for r in ran if r.outputs[t][0] == k)
                 for k in ("matches", "verifies", "**no**", "**mismatch**")}
        lines.append(f"| `{t}` | " + " | ".join(str(n) for n in count.values()) + " |")
    lines += ["", "Every case that does not match with some output type, and what `check --aten=TYPE` said:", "",
              "| case | output type | check |", "|---|---|---|"]
    for r in ran:
        for t in OUTPUT_TYPES:
            how, line = r.outputs[t]
            if how != "matches":
                lines.append(f"| `{r.case.name}` | `{t}` | {line.replace('|', chr(92) + '|')} |")
    return lines


def render(results: list[Result], handled: list[str]) -> str:
    passed = sum(1 for r in results if r.stages.get("matched"))
    run = sum(1 for r in results if not r.case.skip)
    lines = [
        "# Coverage",
        "",
        "Generated by `scripts/coverage` from a real run of every `CHECKS` case in `examples/*.py`",
        f"({datetime.date.today().isoformat()}): do not edit by hand.",
        "",
        f"{passed} of {run} cases match PyTorch; {len(results) - run} skipped (with the reason given).",
        "",
        "## Kernels",
        "",
        "`lowered`, `verified`, `ran`, `matched` are the stages of `python -m helion_mlir check` with the",
        "default output type, linalg; `symbolic tiles` says whether the kernel also lowers and verifies",
        "with `--tiles=symbolic`. The output-type columns are `check --aten=TYPE`: `torch` is torch-mlir's",
        "torch dialect, `tosa` and `stablehlo` what torch-mlir's backend pipelines make of it",
        "([docs/design.md](design.md#output-types-tosa-and-stablehlo---atentosa---atenstablehlo)), each",
        "verified by torch-mlir, lowered on to linalg by it and run through our JIT: `matches` PyTorch;",
        "`verifies` but torch-mlir does not lower it on to linalg; `**no**`, torch-mlir cannot convert it",
        "(one error line naming the op and the kernel source line); `**mismatch**`, it ran and differs from",
        f"PyTorch beyond the output dtype's tolerance. With {_torch_mlir()}.",
        "",
        *_kernel_table(results),
        "",
        "## Output types",
        "",
        *_output_types(results),
        "",
        "## Ops",
        "",
        "Every op the C lowering's tables handle (`lib/lower/ops/OpTable.c`), and every op an example uses. With",
        "`--aten=torch` an ATen op with a torch-mlir form (`lib/lower/ops/Torch.c`) becomes torch-mlir's op;",
        "the others keep their linalg form.",
        "",
        *_op_table(results, handled),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="scripts/coverage", description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(REPO / "docs" / "coverage.md"), help="where to write the table")
    p.add_argument("-k", dest="keyword", help="only the cases whose name contains this")
    opts = p.parse_args(argv)
    cases = [c for c in discover() if not opts.keyword or opts.keyword in c.name]
    results = []
    for case in cases:
        result = run_case(case)
        print(f"{case.name}: {result.summary}", file=sys.stderr)
        results.append(result)
    Path(opts.out).write_text(render(results, supported_ops()))
    print(f"wrote {opts.out}", file=sys.stderr)
    return 0 if all(r.stages.get("matched") or r.case.skip for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
