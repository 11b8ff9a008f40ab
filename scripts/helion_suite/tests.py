"""One of Helion's test files, run under `pytest -p helion_mlir.testing` in a subprocess.

A test that outlives its time limit, or kills the process (a crash in compiled code), ends the run;
the file is run again without the tests already reported, until every test has an outcome.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path



@dataclasses.dataclass
class Outcome:
    nodeid: str
    outcome: str  # passed, failed, skipped
    message: str = ""
    journals: int = 0
    launches: int = 0
    duration: float = 0.0


def _read(path: Path) -> tuple[dict[str, Outcome], str | None]:
    """The outcome of each test the report has (a failed or skipped phase decides it, else the call's
    pass), and the test that was running when the report ends, if one was."""
    done: dict[str, Outcome] = {}
    running = None
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        nodeid, when = entry["nodeid"], entry["when"]
        if when in ("start", "end"):
            running = nodeid if when == "start" else None
            continue
        previous = done.get(nodeid)
        if previous is None or previous.outcome == "passed":
            done[nodeid] = Outcome(nodeid, entry["outcome"], entry["message"], entry["journals"],
                                   entry["launches"], entry["duration"])
    return done, running


def run_file(src: Path, name: str, test_timeout: float, log: Path) -> list[Outcome]:
    """Every test of DIR/test/NAME.py with its outcome; the run's output goes to `log`."""
    test_file = src / "test" / f"{name}.py"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    results: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory() as tmp:
        report, deselect = Path(tmp) / "report.jsonl", Path(tmp) / "deselect.txt"
        while True:
            report.write_text("")
            deselect.write_text("".join(f"--deselect={n}\n" for n in results))
            cmd = [sys.executable, "-m", "pytest", "-p", "helion_mlir.testing", "-p", "no:cacheprovider", "-q",
                   "--helion-report", str(report), "--helion-test-timeout", str(test_timeout),
                   f"@{deselect}", str(test_file)]
            proc = subprocess.run(cmd, cwd=src, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            with log.open("a") as out:
                out.write(proc.stdout)
            done, running = _read(report)
            results.update(done)
            if running is None:
                break
            if running not in results:  # killed by a signal or an exit of its own, not by the timeout
                results[running] = Outcome(running, "failed", f"the test process died (exit status {proc.returncode})")
    if not results and proc.returncode not in (0, 5):  # 5: no tests collected
        errors = [line[1:].strip() for line in proc.stdout.splitlines() if line.startswith("E ")]
        why = errors[-1] if errors else f"exit status {proc.returncode}"
        results[f"{name}::<collection>"] = Outcome(f"{name}::<collection>", "failed", f"collection failed: {why}")
    return list(results.values())
