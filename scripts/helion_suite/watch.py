"""What an example's process is doing, written down a few times a second, so that a run that times out
or is killed for memory says what was running at its end: the resident memory, the innermost frame of
the main thread, the example's own line it came from, and whether a kernel of ours was on the stack
(helion_mlir, helion2json, or a call of a Helion kernel, which binds, compiles and launches it for
backend "mlir")."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import time
from pathlib import Path

# Every call of a Helion kernel goes through its Kernel/BoundKernel __call__ there; Helion's other
# frames (run_example, its argument clones in the autotuner's module) run no kernel themselves.
_KERNEL_CALL = str(Path(importlib.util.find_spec("helion").origin).parent / "runtime" / "kernel.py")
_OURS = tuple(str(Path(__file__).resolve().parents[2] / "python" / pkg) for pkg in ("helion_mlir", "helion2json"))


def _resident_gib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 2**20
    return 0.0


def _age() -> float:
    """Seconds since this process started."""
    with open("/proc/self/stat") as f:
        started = int(f.read().rpartition(")")[2].split()[19])  # starttime, field 22, in clock ticks
    with open("/proc/uptime") as f:
        up = float(f.read().split()[0])
    return max(0.0, up - started / os.sysconf("SC_CLK_TCK"))


def _in_kernel(filename: str) -> bool:
    return filename.startswith(_OURS) or filename == _KERNEL_CALL


def _short(filename: str) -> str:
    """A file's name as a reader knows it: from its package down (torch/..., helion/...) where it is
    installed, else the name itself."""
    head, sep, tail = filename.rpartition("site-packages/")
    return tail if sep else Path(filename).name


def sample(frame: object, example_dir: str) -> dict:
    """The state of the thread whose innermost frame is `frame`."""
    innermost, from_example, in_kernel = None, None, False
    while frame is not None:
        code = frame.f_code
        innermost = innermost or f"{code.co_name} ({_short(code.co_filename)}:{frame.f_lineno})"
        if from_example is None and code.co_filename.startswith(example_dir):
            from_example = f"{Path(code.co_filename).name}:{frame.f_lineno}"
        in_kernel = in_kernel or _in_kernel(code.co_filename)
        frame = frame.f_back
    return {"resident_gib": round(_resident_gib(), 2), "where": innermost, "from": from_example,
            "in_kernel": in_kernel}


def watch(path: Path, example_dir: Path, every: float = 0.25) -> None:
    """Starts a daemon thread that keeps `path` holding the main thread's sample (replaced whole, so
    that a reader never sees half of one)."""
    main = threading.main_thread().ident
    tmp = path.with_name(path.name + ".tmp")

    def loop() -> None:
        spent = {True: 0.0, False: 0.0}  # seconds with and without a kernel of ours on the stack
        # From the process's start: its imports (torch, Helion) are the example's own time too.
        last, running = time.monotonic() - _age(), False
        while True:
            frame = sys._current_frames().get(main)
            if frame is not None:
                state = sample(frame, str(example_dir))
                # The time since the last sample goes to what ran then: a C call that holds the GIL
                # (a torch op) keeps this thread from sampling until it returns.
                now = time.monotonic()
                spent[running] += now - last
                last, running = now, state["in_kernel"]
                state.update(kernel_seconds=spent[True], other_seconds=spent[False], at=time.time())
                tmp.write_text(json.dumps(state))
                os.replace(tmp, path)
            time.sleep(every)

    threading.Thread(target=loop, name="helion-suite-watch", daemon=True).start()


def read(path: Path, end: float) -> dict | None:
    """The last sample, with the time from it to `end` (the process's end, time.time()) given to what
    was running at that sample: the process may have spent its last seconds in one long call."""
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    state["kernel_seconds" if state["in_kernel"] else "other_seconds"] += max(0.0, end - state["at"])
    return state


def describe(state: dict) -> str:
    """A sample in words, for the report."""
    place = state["where"] + (f", from {state['from']}" if state.get("from") else "")
    kernel = "in a kernel of ours" if state["in_kernel"] else "with no kernel of ours running"
    return (f"at its end {state['resident_gib']:.1f} GiB resident, {kernel}: {place}; {state['kernel_seconds']:.0f} s "
            f"in kernels of ours, {state['other_seconds']:.0f} s in the example's own and torch's code")
