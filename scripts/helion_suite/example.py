"""One of Helion's examples, run as its author runs it (`main()`), on the CPU under backend "mlir".

    python -m helion_suite.example DIR NAME OUT.jsonl

Each example's main() builds its inputs (on helion._testing.DEVICE, the CPU here) and calls
run_example(kernel, reference, args), which checks kernel(*args) against the example's own reference
and then benchmarks. Here run_example stops after the check, and every call is recorded as one line
of OUT.jsonl: the kernel's name, and "match" or the first line of what went wrong. The kernels use
their default configs (HELION_AUTOTUNE_EFFORT=none): autotuning is a speed question.
"""

from __future__ import annotations

import faulthandler
import functools
import importlib.util
import json
import sys
import traceback
from pathlib import Path

import torch

from .accuracy import Measurement, measure_check
from .watch import watch


class _Checked(Exception):
    """run_example reached its benchmark: the check passed."""


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}".strip()


def _label(fn: object) -> str:
    """A kernel's name in the report: a Helion kernel's, a function's qualified name (check.addmm for
    a local one), a partial with its keywords."""
    if isinstance(fn, functools.partial):
        return f"{_label(fn.func)}({', '.join(f'{k}={v!r}' for k, v in fn.keywords.items())})"
    name = getattr(getattr(fn, "fn", None), "__name__", None) or getattr(fn, "__qualname__", None) or str(fn)
    return name.replace("<locals>.", "")


_OURS = tuple(str(Path(__file__).resolve().parents[2] / "python" / pkg) for pkg in ("helion_mlir", "helion2json"))


def not_on_cpu(e: BaseException) -> str | None:
    """Why the example cannot run on a CPU at all, when that is what `e` says: it needs software or
    hardware the CPU has not (Triton, CUDA, the CuTe DSL) and asks for it itself, or Helion's runtime
    has no CPU answer. None for anything else, and for any error raised in helion_mlir or helion2json
    (a refusal of ours is a failure)."""
    frames = traceback.extract_tb(e.__traceback__)
    if any(f.filename.startswith(_OURS) for f in frames):
        return None
    text = str(e)
    if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] == "triton":
        return "it imports Triton"
    if type(e).__name__ == "CuteBackendUnavailable":
        return "it asks for Helion's CuTe backend (backend=\"cute\"), which needs an NVIDIA GPU"
    if isinstance(e, AssertionError) and "Torch not compiled with CUDA enabled" in text:
        return "it puts its tensors on CUDA itself"
    if "TODO: implement for other devices" in text and any(f.name == "get_num_sm" for f in frames):
        return "it sizes its grid with helion.runtime.get_num_sm, which Helion answers for GPUs (and Pallas) only"
    if isinstance(e, ValueError) and "Invalid scaling configuration" in text and frames and \
            "_scaled_mm" in (frames[-1].line or ""):
        return "its reference calls torch._scaled_mm with block scales, which torch's CPU kernel refuses"
    return None


def other_backend(fn: object) -> str | None:
    """Why a check that failed runs no kernel of ours: the example calls its kernel with another of
    Helion's backends by its own choice (nvfp4_gemv's functools.partial(..., backend="triton"))."""
    backend = fn.keywords.get("backend") if isinstance(fn, functools.partial) else None
    if backend in ("triton", "cute"):
        return f"it runs the kernel on Helion's {backend} backend (backend={backend!r}), which needs an NVIDIA GPU"
    return None


def _tensors(value: object):
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)
    elif isinstance(value, torch.Tensor):
        yield value


def inputs_text(args: tuple) -> str:
    """A check's inputs in a few words: how many tensors, their bytes, the largest's shape."""
    tensors = list(_tensors(args))
    if not tensors:
        return "no tensors"
    total = sum(t.numel() * t.element_size() for t in tensors)
    big = max(tensors, key=lambda t: t.numel())
    size = f"{total / 2**30:.1f} GiB" if total >= 2**30 else f"{total / 2**20:.1f} MiB"
    return f"{len(tensors)} tensors, {size}, the largest {list(big.shape)} {str(big.dtype).removeprefix('torch.')}"


def where_path(out_path: Path) -> Path:
    """Where the process keeps watch.sample's record of what it is doing, beside its results."""
    return out_path.with_suffix(".where.json")


def main(src: Path, name: str, out_path: Path) -> int:
    from helion_mlir.testing import configure

    # A process that dies of a signal (an abort, a segfault) leaves every thread's Python stack in
    # its log.
    faulthandler.enable(all_threads=True)

    watch(where_path(out_path), src / "examples")
    configure(src / "examples")
    import helion._testing as testing

    out = out_path.open("a")
    checks: list[str] = []

    def record(kernel: str, result: str, error: BaseException | None = None, backend: str | None = None,
               float64: Measurement | None = None) -> None:
        row = {"example": name, "kernel": kernel, "result": result}
        reason = backend or (not_on_cpu(error) if error is not None else None)
        if reason:
            row["not_on_cpu"] = reason
        if float64 is not None:
            row["float64"] = float64.words
            row["reference_less_accurate"] = float64.reference_less_accurate
        out.write(json.dumps(row) + "\n")
        out.flush()

    def stop(*args: object, **kwargs: object) -> int:
        raise _Checked

    testing.compute_repeat = stop
    original = testing.run_example

    def checked(kernel_fn: object, baseline_fn: object, args: tuple, *rest: object, **kwargs: object) -> dict:
        names = list(kernel_fn) if isinstance(kernel_fn, dict) else [kwargs.get("kernel_name") or _label(kernel_fn)]
        label = ", ".join(str(n) for n in names)
        checks.append(label)
        # What is in flight, should the process time out or be killed in this check.
        out.write(json.dumps({"example": name, "kernel": label, "started": inputs_text(args)}) + "\n")
        out.flush()
        try:
            original(kernel_fn, baseline_fn, args, *rest, **kwargs)
            record(label, "no check ran")
        except _Checked:
            record(label, "match")
        except AssertionError as e:  # a closeness check, or the example's own assertion
            record(label, _first_line(e), e, other_backend(kernel_fn),
                   measure_check(original, kernel_fn, baseline_fn, args, *rest, **kwargs))
        except Exception as e:  # the example's own failure is the result
            record(label, _first_line(e), e, other_backend(kernel_fn))
        return {}

    testing.run_example = checked
    sys.argv = [name]
    sys.path.insert(0, str(src))
    spec = importlib.util.spec_from_file_location(f"examples.{name}", src / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    # Helion resolves a kernel's globals through sys.modules[fn.__module__] (hl.register_tunable's
    # fragments, helper functions), so the example must be registered as an import would.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        if hasattr(module, "run_example"):
            module.run_example = checked
        if not hasattr(module, "main"):
            record("", "no main()")
            return 0
        module.main()
        if not checks:  # main() checks its kernels itself (low_mem_dropout's asserts), and they held
            record("main()'s own checks", "match")
    except Exception as e:
        record("", _first_line(e), e)
        traceback.print_exc()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
