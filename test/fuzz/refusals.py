"""Runs helion-mlir over hostile inputs and checks the promise of README.md: each is refused with
exit status 1, one line on stderr and nothing on stdout (and, with -o, no output file).

    refusals.py HELION_MLIR FILE... -> "N refused with one line and exit 1", exit 1 on the first that is not
"""
import os
import subprocess
import sys
import tempfile


def refusal_problem(tool: str, path: str) -> str | None:
    """What is wrong with how `tool` refuses `path`, or None when it refuses it as promised."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.mlir")
        try:
            proc = subprocess.run([tool, path, "-o", out], capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            return "no answer within 60 s"
        lines = proc.stderr.decode("utf-8", "replace").splitlines()
        if proc.returncode != 1:
            return f"exit status {proc.returncode}"
        if len(lines) != 1 or not lines[0].startswith("helion-mlir: error: "):
            return f"{len(lines)} lines on stderr: {lines[:3]}"
        if proc.stdout or os.path.exists(out):
            return "wrote output"
    return None


def main(argv: list[str]) -> int:
    tool, paths = argv[0], argv[1:]
    for path in paths:
        problem = refusal_problem(tool, path)
        if problem:
            print(f"{path}: {problem}")
            return 1
    print(f"{len(paths)} refused with one line and exit 1")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
