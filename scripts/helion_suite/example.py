"""One of Helion's examples, run as its author runs it (`main()`), on the CPU under backend "mlir".

    python -m helion_suite.example DIR NAME OUT.jsonl

Each example's main() builds its inputs (on helion._testing.DEVICE, the CPU here) and calls
run_example(kernel, reference, args), which checks kernel(*args) against the example's own reference
and then benchmarks. Here run_example stops after the check, and every call is recorded as one line
of OUT.jsonl: the kernel's name, and "match" or the first line of what went wrong. The kernels use
their default configs (HELION_AUTOTUNE_EFFORT=none): autotuning is a speed question.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import traceback
from pathlib import Path


class _Checked(Exception):
    """run_example reached its benchmark: the check passed."""


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}".strip()


def main(src: Path, name: str, out_path: Path) -> int:
    from helion_mlir.testing import configure

    configure(src / "examples")
    import helion._testing as testing

    out = out_path.open("a")

    def record(kernel: str, result: str) -> None:
        out.write(json.dumps({"example": name, "kernel": kernel, "result": result}) + "\n")
        out.flush()

    def stop(*args: object, **kwargs: object) -> int:
        raise _Checked

    testing.compute_repeat = stop
    original = testing.run_example

    def checked(kernel_fn: object, baseline_fn: object, args: tuple, *rest: object, **kwargs: object) -> dict:
        names = list(kernel_fn) if isinstance(kernel_fn, dict) else [getattr(kernel_fn, "name", None) or
                                                                       getattr(getattr(kernel_fn, "fn", None),
                                                                               "__name__", str(kernel_fn))]
        label = ", ".join(str(n) for n in names)
        try:
            original(kernel_fn, baseline_fn, args, *rest, **kwargs)
            record(label, "no check ran")
        except _Checked:
            record(label, "match")
        except Exception as e:  # the example's own failure is the result
            record(label, _first_line(e))
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
    except Exception as e:
        record("", _first_line(e))
        traceback.print_exc()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
