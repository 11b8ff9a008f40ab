"""The config sweep: every example kernel under configs Helion's autotuner can pick, at edge shapes and
in 16-bit floats, through `helion_mlir.run`; each run matches PyTorch or is refused with one clear line.

For every CHECKS case of examples/*.py (cases.py) the sweep derives shape variants from the case's
argument expressions: "ones" (every size literal 1) and "odd" (every size literal a smaller odd one),
and for an f32 case the same arguments in f16 and bf16. Each variant runs with Helion's default config
and a fixed-seed sample of `ConfigGeneration(config_spec).random_config()`, Helion's own generator,
deduplicated on the keys our lowering honours (`HONOURED_KEYS`; the others change nothing we emit).

A run's outcome is one of
  match          the outputs equal the reference's within the dtype's tolerance
  wrong          they do not, or the kernel ran on arguments the reference (PyTorch) rejects
  refused        our capture or lowering refused the config or shape with one clear line
  internal       it refused with a message that names our internals or MLIR's (a verifier error, a
                 node kind): a refusal nobody can act on, counted as a failure like `wrong`
  crash          any other exception
  helion         Helion itself refused to bind the kernel on these arguments (not ours to judge)
"""

from __future__ import annotations

import argparse
import ast
import copy
import dataclasses
import datetime
import functools
import random
import re
import sys
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

import torch

import helion_mlir
from helion2json import CaptureError
from helion2json.cli import eval_args, load_entry
from helion_mlir._lib import HelionMlirError

from .cases import REPO, Case, discover

# The config keys that change the MLIR we generate. Helion's other keys (num_warps, num_stages,
# pid_type, indexing, l2_groupings, loop_orders, flatten_loops, range_*, ...) schedule GPU programs;
# the lowering accepts and ignores them, so a CPU autotuner gains nothing by varying them.
HONOURED_KEYS = ("block_sizes", "reduction_loops")

FAILURES = ("wrong", "internal", "crash")
OUTCOMES = ("match", "refused", "helion", *FAILURES)

# Calls whose integer arguments are sizes, and which of their positional arguments those are.
_SIZE_CALLS: dict[str, Callable[[list[ast.expr]], list[ast.expr]]] = {
    **{name: (lambda args: args) for name in ("randn", "rand", "zeros", "ones", "empty", "randperm",
                                               "repeat", "reshape")},
    "full": lambda args: args[:1],
    "randint": lambda args: args[2:3],
    "arange": lambda args: args[:1],
}

# A message names our internals or MLIR's rather than the kernel, config or shape.
_INTERNAL = re.compile(
    r"'[a-z_]+\.[a-z_.]+' op|\bop\b.*\b(requires|expects|expected)\b|expected result type|memref<|tensor<|"
    r"strided<|node reference|is not a tensor|inductor decomposition|loop output|no lowered|"
    r"has no MLIR value|could not build|changes type between iterations|Traceback|Assertion")

# (rtol, atol relative to the reference's largest magnitude) by output dtype: the order in which a
# config's tiles sum differs from torch's, and 16-bit partial sums round at their own scale.
_TOLERANCES = {torch.float16: (1e-2, 1e-2), torch.bfloat16: (4e-2, 4e-2), torch.float32: (1e-4, 1e-5),
               torch.float64: (1e-7, 1e-7)}


@dataclasses.dataclass(frozen=True)
class Variant:
    """A case's kernel on derived arguments: the case's own ("case"), every size 1 ("ones"), odd
    sizes ("odd"), each possibly cast to a 16-bit float dtype."""
    case: Case
    shape: str
    exprs: tuple[str, ...]
    dtype: torch.dtype | None = None

    @property
    def name(self) -> str:
        suffix = "" if self.dtype is None else f"-{str(self.dtype).removeprefix('torch.')}"
        return f"{self.case.name}:{self.shape}{suffix}"


@dataclasses.dataclass
class Outcome:
    variant: Variant
    config: dict | None
    status: str
    detail: str = ""


def _call_name(node: ast.Call) -> str | None:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)


def size_literals(expr: str) -> set[int]:
    """The integer literals of `expr` that are tensor sizes (at least 2) of the calls in _SIZE_CALLS."""
    sizes = set()
    for node in ast.walk(ast.parse(expr, mode="eval")):
        if isinstance(node, ast.Call) and (positions := _SIZE_CALLS.get(_call_name(node) or "")):
            for arg in positions(node.args):
                sizes |= {c.value for c in ast.walk(arg) if isinstance(c, ast.Constant)
                          and type(c.value) in (int, float) and float(c.value).is_integer() and c.value >= 2}
    return {int(s) for s in sizes}


class _Resize(ast.NodeTransformer):
    """Replaces every number equal to a size by its new size, wherever it appears, so that a value
    coupled to a size (`torch.randint(0, 77, ...)` beside a row of 77) follows it."""

    def __init__(self, mapping: dict[int, int]) -> None:
        self.mapping = mapping

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if type(value) in (int, float) and float(value).is_integer() and int(value) in self.mapping:
            return ast.copy_location(ast.Constant(type(value)(self.mapping[int(value)])), node)
        return node


def resize(exprs: Iterable[str], mapping: dict[int, int]) -> tuple[str, ...]:
    return tuple(ast.unparse(_Resize(mapping).visit(ast.parse(e, mode="eval"))) for e in exprs)


def _odd(size: int) -> int:
    """A smaller odd size, no multiple of any power-of-two tile."""
    return max(3, size // 3) | 1


SHAPES = ("case", "ones", "odd")

# Kernels whose arguments carry positions or sizes of each other (offsets into values, a column
# index, a flat copy of m*v logits, pairs of columns): their edge shapes are written out, since
# resizing the literals would give arguments the kernel does not accept.
EDGE_ARGS: dict[str, dict[str, tuple[str, ...]]] = {
    **{kernel: {"ones": ("torch.randn(1, 1)", "torch.tensor([0, 1])"),
                "odd": ("torch.randn(13, 3)", "torch.tensor([0, 2, 3, 8, 13])")}
       for kernel in ("jagged_sum", "jagged_mean", "jagged_max", "jagged_sum_dyn")},
    "jagged_add_dense": {"ones": ("torch.randn(1)", "torch.tensor([0, 1])", "torch.randn(1, 1)"),
                         "odd": ("torch.randn(13)", "torch.tensor([0, 3, 3, 8, 13])", "torch.randn(4, 5)")},
    "jagged_to_padded": {"ones": ("torch.randn(1)", "torch.tensor([0, 1])", "torch.empty(1)"),
                         "odd": ("torch.randn(13)", "torch.tensor([0, 3, 3, 8, 13])", "torch.empty(5)")},
    "pick_column": {"ones": ("torch.randn(1, 1)", "0"), "odd": ("torch.randn(17, 3)", "2")},
    "add_column": {"ones": ("torch.randn(1, 1)", "0"), "odd": ("torch.randn(17, 3)", "2")},
    # Two columns: a window over a dimension of size 1 broadcasts its one element (Helion's semantics).
    "window_sums": {"ones": ("torch.randn(1, 2)", "torch.tensor([-1])"),
                    "odd": ("torch.randn(5, 13)", "torch.tensor([-7, 0, 6, 11, -20])")},
    "scale_windows": {"ones": ("torch.randn(1, 2)", "torch.tensor([0])", "torch.tensor([-1])", "torch.zeros(1, 2)"),
                      "odd": ("torch.randn(5, 13)", "torch.tensor([4, 1, 4])", "torch.tensor([-6, 3, 10])",
                              "torch.zeros(5, 13)")},
    "add_segments": {"ones": ("torch.randn(1)", "torch.randn(1)", "torch.tensor([0, 1])", "torch.zeros(1)"),
                     "odd": ("torch.randn(13)", "torch.randn(5)", "torch.tensor([0, 3, 3, 13])", "torch.zeros(9)")},
    "cross_entropy": {"ones": ("torch.randn(1, 1)", "torch.randint(0, 1, (1,))", "torch.randn(1)"),
                      "odd": ("torch.randn(33, 25)", "torch.randint(0, 25, (33,))", "torch.randn(825)")},
    "flatten_pairs": {"ones": ("torch.randn(1, 2)",), "odd": ("torch.randn(13, 22)",)},
    "running_argmax": {"ones": ("torch.randn(1, 1)", "torch.arange(1.0).repeat(1, 1)"),
                       "odd": ("torch.randn(11, 15)", "torch.arange(15.0).repeat(11, 1)")},
    "block_column_sums": {"ones": ("torch.randn(16, 1)",), "odd": ("torch.randn(16, 25)",)},  # 16 rows
    "split_heads": {"ones": ("torch.randn(1, 1)", "1", "1"), "odd": ("torch.randn(15, 7)", "3", "5")},
    "jagged_tile_sum": {"ones": ("torch.randn(1, 1)", "torch.tensor([0, 1])"),
                        "odd": ("torch.randn(13, 3)", "torch.tensor([0, 2, 3, 8, 13])")},
    "jagged_tile_max": {"ones": ("torch.randn(1, 1)", "torch.tensor([1])"),
                        "odd": ("torch.randn(5, 7) + torch.arange(7)", "torch.tensor([0, 7, 3, 1, 6])")},
    "jagged_tile_scale": {"ones": ("torch.randn(1, 1)", "torch.tensor([1])", "torch.randn(1)", "torch.full((1, 1), 7.0)"),
                          "odd": ("torch.randn(5, 7)", "torch.tensor([0, 7, 3, 1, 6])", "torch.randn(5)",
                                  "torch.full((5, 7), 7.0)")},
    "jagged_tile_grid": {"ones": ("torch.randn(1, 1, 1)", "torch.tensor([[1]])"),
                         "odd": ("torch.randn(3, 5, 7)", "torch.randint(0, 8, (3, 5))")},
    # Two int4 values a byte: x's K is twice packed's rows.
    "unpack_int4_dot": {"ones": ("torch.randn(1, 2, dtype=torch.bfloat16)", "torch.randint(-128, 128, (1, 1), dtype=torch.int8)"),
                        "odd": ("torch.randn(13, 22, dtype=torch.bfloat16)",
                                "torch.randint(-128, 128, (11, 15), dtype=torch.int8)")},
    "spread_row": {"ones": ("torch.randn(1, 1)", "torch.tensor([0, 1], dtype=torch.int32)", "torch.zeros(1, 1)"),
                   "odd": ("torch.randn(1, 5)", "torch.tensor([1, 4, 4, 7], dtype=torch.int32)", "torch.zeros(7, 5)")},
}
DTYPES = (torch.float16, torch.bfloat16)


def variants(case: Case, shapes: Iterable[str] = SHAPES, dtypes: Iterable[torch.dtype] = DTYPES) -> list[Variant]:
    """The case at each of `shapes` (its own, every size 1, odd sizes: the edge shapes of a case
    without size literals are its own), and for an f32 case also in each of `dtypes`."""
    written = EDGE_ARGS.get(case.kernel)
    sizes = set() if written else set().union(*(size_literals(e) for e in case.args))
    derived = {"case": case.args, **(written or {"ones": resize(case.args, {s: 1 for s in sizes}),
                                                 "odd": resize(case.args, {s: _odd(s) for s in sizes})})}
    edges = bool(written) and case == _first_case(case.entry) or bool(sizes)
    out = [Variant(case, shape, derived[shape]) for shape in shapes if shape == "case" or edges]
    is_f32 = not any(name in e for e in case.args for name in ("float16", "bfloat16", "float64", "int"))
    if is_f32:
        out += [dataclasses.replace(v, dtype=d) for v in list(out) for d in dtypes]
    return out


@functools.cache
def _first_case(entry: str) -> Case:
    """The kernel's first case: written edge shapes belong to the kernel, so they run once."""
    return next(c for c in discover() if c.entry == entry)


def ci_variants(cases: list[Case]) -> list[Variant]:
    """The sweep's part in the test suite: per kernel, its first case at both edge shapes, the odd
    one also in bf16."""
    firsts: dict[str, Case] = {}
    for case in cases:
        if not case.skip:
            firsts.setdefault(f"{case.file.stem}.{case.kernel}", case)
    out = []
    for case in firsts.values():
        out += variants(case, ("ones",), ()) + variants(case, ("odd",), (torch.bfloat16,))
    return out


def _cast(args: list, dtype: torch.dtype | None) -> list:
    if dtype is None:
        return args
    return [a.to(dtype) if isinstance(a, torch.Tensor) and a.dtype == torch.float32 else a for a in args]


def _seed(*parts: object) -> int:
    return zlib.crc32(":".join(map(str, parts)).encode())


def honoured(config: Any) -> str:
    """The part of a config our lowering reads: configs equal on it generate the same MLIR."""
    values = dict(config or {})
    return repr({k: values.get(k) for k in HONOURED_KEYS})


def sample_configs(kernel: Any, args: list, count: int, seed: int) -> list[dict | None]:
    """None (Helion's default config) and up to `count` random configs from Helion's generator,
    distinct on the honoured keys. Raises what Helion raises when it cannot bind the arguments."""
    from helion.autotuner.config_generation import ConfigGeneration

    bound = kernel.bind(tuple(args))
    spec = bound.config_spec
    configs: list[dict | None] = [None]
    seen = {honoured(spec.default_config())}
    generator = ConfigGeneration(spec)
    state = random.getstate()
    random.seed(seed)
    try:
        for _ in range(4 * count):
            if len(configs) > count:
                break
            config = dict(generator.random_config())
            if honoured(config) not in seen:
                seen.add(honoured(config))
                configs.append(config)
    finally:
        random.setstate(state)
    return configs


def _as_tuple(result: object) -> tuple:
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def reference(case: Case, kernel: Any, namespace: dict, args: list) -> tuple:
    fn = namespace[case.ref] if case.ref else _interpreter(kernel)
    return _as_tuple(fn(*copy.deepcopy(args)))


def _loosest(dtypes: Iterable[torch.dtype]) -> tuple[float, float]:
    return max((_TOLERANCES.get(d, (0.0, 0.0)) for d in dtypes), default=(0.0, 0.0))


def compare(outputs: tuple, expected: tuple, case: Case, derived: bool, inputs: Iterable[torch.dtype] = ()) -> str | None:
    """None when the outputs match, else what differs: floats within the tolerance of the least
    precise float among the inputs and the output."""
    inputs = [d for d in inputs if d.is_floating_point]
    if len(outputs) != len(expected):
        return f"{len(outputs)} outputs, the reference returned {len(expected)}"
    for i, (out, ref) in enumerate(zip(outputs, expected)):
        if not isinstance(out, torch.Tensor) or out.shape != ref.shape or out.dtype != ref.dtype:
            got = f"{tuple(out.shape)} {out.dtype}" if isinstance(out, torch.Tensor) else type(out).__name__
            return f"output {i} is {got}, the reference's {tuple(ref.shape)} {ref.dtype}"
        if out.numel() == 0:
            continue
        rtol, atol = _loosest([out.dtype, *inputs]) if out.is_floating_point() else (0.0, 0.0)
        if not derived and case.rtol is not None:
            rtol, atol = max(rtol, case.rtol), max(atol, case.atol or 0.0)
        scale = float(ref.double().abs().nan_to_num(0.0, 0.0, 0.0).max()) if out.is_floating_point() else 0.0
        a, b = out.double(), ref.double()
        if not torch.allclose(a, b, rtol=rtol, atol=atol * max(1.0, scale), equal_nan=True):
            error = float((a - b).abs().nan_to_num(float("inf")).max())
            return f"output {i}: max abs error {error:.3g} (rtol {rtol:g}, atol {atol:g} x {max(1.0, scale):.3g})"
    return None


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def classify_refusal(e: BaseException) -> tuple[str, str]:
    """(status, one line) for an exception `helion_mlir.run` raised."""
    message = str(e).strip()
    line = _first_line(e)
    if isinstance(e, CaptureError) and line.startswith("helion could not bind"):
        return "helion", line
    if not isinstance(e, (HelionMlirError, CaptureError, ValueError, TypeError)):
        return "crash", f"{type(e).__name__}: {line}"
    if "\n" in message or _INTERNAL.search(message):
        return "internal", line
    return "refused", line


@functools.cache
def _entry(entry: str) -> tuple[Any, dict]:
    """Each example module imported once, so Helion's bind cache and helion_mlir's compile cache
    see the same kernel objects across variants."""
    return load_entry(entry)


@functools.cache
def _interpreter(kernel: Any) -> Callable[..., Any]:
    """The kernel in Helion's eager interpreter, in this process."""
    import helion
    from helion.runtime.ref_mode import RefMode

    return helion.kernel(kernel.fn, **{**kernel.settings.to_dict(), "ref_mode": RefMode.EAGER})


def run_variant(variant: Variant, configs_per_shape: int) -> list[Outcome]:
    """Every sampled config of one variant."""
    case = variant.case
    kernel, namespace = _entry(case.entry)
    torch.manual_seed(0)
    try:
        args = _cast(eval_args(list(variant.exprs), namespace), variant.dtype)
    except Exception as e:  # a derived shape the expressions cannot build (a reshape of a new size)
        return [Outcome(variant, None, "helion", f"arguments: {_first_line(e)}")]
    derived = variant.shape != "case" or variant.dtype is not None
    try:
        expected: tuple | None = reference(case, kernel, namespace, args)
    except Exception as e:
        if not derived:
            return [Outcome(variant, None, "crash", f"the reference failed: {type(e).__name__}: {_first_line(e)}")]
        expected = None  # PyTorch rejects these arguments: the kernel must refuse them too
    try:
        configs = sample_configs(kernel, args, configs_per_shape, _seed(variant.name))
    except Exception as e:
        return [Outcome(variant, None, "helion", f"{type(e).__name__}: {_first_line(e)}")]
    outcomes = []
    for config in configs:
        try:
            outputs = _as_tuple(helion_mlir.run(kernel, copy.deepcopy(args), config=config))
        except Exception as e:
            status, line = classify_refusal(e)
            outcomes.append(Outcome(variant, config, status, line))
            continue
        if expected is None:
            outcomes.append(Outcome(variant, config, "wrong", "ran on arguments PyTorch's reference rejects"))
            continue
        problem = compare(outputs, expected, case, derived, {a.dtype for a in args if isinstance(a, torch.Tensor)})
        outcomes.append(Outcome(variant, config, "wrong" if problem else "match", problem or ""))
    return outcomes


def sweep(selected: list[Variant], configs_per_shape: int,
          progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    outcomes = []
    for variant in selected:
        for outcome in run_variant(variant, configs_per_shape):
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    return outcomes


def _config_text(config: dict | None) -> str:
    if config is None:
        return "default"
    return ", ".join(f"{k}={config[k]}" for k in HONOURED_KEYS if k in config)


def render(outcomes: list[Outcome], command: str, seconds: float) -> str:
    by_kernel: dict[str, Counter] = defaultdict(Counter)
    for o in outcomes:
        by_kernel[f"{o.variant.case.file.stem}.{o.variant.case.kernel}"][o.status] += 1
    total = Counter(o.status for o in outcomes)
    rows = ["| kernel | runs | " + " | ".join(OUTCOMES) + " |", "|---|---|" + "---|" * len(OUTCOMES)]
    for kernel in sorted(by_kernel):
        c = by_kernel[kernel]
        rows.append(f"| `{kernel}` | {sum(c.values())} | " + " | ".join(str(c[s]) for s in OUTCOMES) + " |")
    rows.append(f"| **all {len(by_kernel)} kernels** | {len(outcomes)} | " +
                " | ".join(str(total[s]) for s in OUTCOMES) + " |")
    reasons: Counter = Counter()
    for o in outcomes:
        if o.status in ("refused", "helion"):
            reasons[(o.status, re.sub(r"\d+", "N", o.detail))] += 1
    failures = [o for o in outcomes if o.status in FAILURES]
    lines = [
        "# Config sweep",
        "",
        f"Generated by `{command}` ({datetime.date.today().isoformat()}, {seconds:.0f} s): do not edit by hand.",
        "",
        "Every CHECKS case of `examples/*.py`, at its own shapes, every size 1 and odd sizes, and (for f32",
        "cases) in f16 and bf16, run through `helion_mlir.run` with Helion's default config and random",
        "configs from Helion's generator (`ConfigGeneration(config_spec).random_config()`, fixed seeds),",
        f"distinct on the keys the lowering honours ({', '.join(f'`{k}`' for k in HONOURED_KEYS)}).",
        "",
        f"**{total['match']} of {len(outcomes)} runs match PyTorch; {total['refused']} are refused with a clear "
        f"line, {total['helion']} are refused by Helion itself; {sum(total[s] for s in FAILURES)} failed "
        f"({total['wrong']} wrong, {total['internal']} internal refusals, {total['crash']} crashes).**",
        "",
        "## By kernel",
        "",
        *rows,
        "",
        "## Refusals",
        "",
        "| by | reason (numbers as N) | runs |",
        "|---|---|---|",
        *(f"| {'Helion' if by == 'helion' else 'helion-mlir'} | {why.replace('|', chr(92) + '|')} | {n} |"
          for (by, why), n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        "",
    ]
    if failures:
        lines += ["## Failures", "", "| run | config | outcome |", "|---|---|---|"]
        lines += [f"| `{o.variant.name}` | {_config_text(o.config)} | {o.status}: {o.detail} |" for o in failures]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="scripts/config-sweep", description=__doc__.splitlines()[0])
    p.add_argument("--configs", type=int, default=6, help="random configs per variant (default 6)")
    p.add_argument("-k", dest="keyword", help="only the cases whose name contains this")
    p.add_argument("--no-dtypes", action="store_true", help="skip the f16/bf16 variants of f32 cases")
    p.add_argument("--out", default=str(REPO / "docs" / "config-sweep.md"), help="where to write the table")
    opts = p.parse_args(argv)
    cases = [c for c in discover() if not opts.keyword or opts.keyword in c.name]
    start = time.monotonic()

    def progress(o: Outcome) -> None:
        if o.status in FAILURES:
            print(f"{o.variant.name} [{_config_text(o.config)}]: {o.status}: {o.detail}", file=sys.stderr)

    selected = [v for c in cases if not c.skip for v in variants(c, dtypes=() if opts.no_dtypes else DTYPES)]
    outcomes = sweep(selected, opts.configs, progress)
    text = render(outcomes, "scripts/config-sweep " + " ".join(argv if argv is not None else sys.argv[1:]),
                  time.monotonic() - start)
    Path(opts.out).write_text(text)
    summary = Counter(o.status for o in outcomes)
    print(", ".join(f"{summary[s]} {s}" for s in OUTCOMES) + f"; wrote {opts.out}", file=sys.stderr)
    return 1 if any(summary[s] for s in FAILURES) else 0


if __name__ == "__main__":
    sys.exit(main())
