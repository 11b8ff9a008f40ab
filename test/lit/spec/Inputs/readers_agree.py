"""readers_agree.py HELION_MLIR REPO: both readers of the interchange take the same decisions.

Every committed fixture passes Python's helion2json.validate_spec and `helion-mlir --check-spec`; every
hostile input of test/spec-inputs/ is refused by both, each naming the JSON path its README table
gives, in one line. Prints one summary line; any disagreement is a line on stderr and exit 1.
"""
import json
import pathlib
import re
import subprocess
import sys

tool, repo = sys.argv[1], pathlib.Path(sys.argv[2])
sys.path.insert(0, str(repo / "python"))
from helion2json import SpecError, validate_spec  # noqa: E402

ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| \w+ \| `(?P<path>[^`]+)` \|")


def python_refusal(path: pathlib.Path) -> str | None:
    try:
        validate_spec(json.loads(path.read_text()))
    except SpecError as e:
        return e.path
    return None


def c_refusal(path: pathlib.Path) -> str | None:
    proc = subprocess.run([tool, "--check-spec", str(path)], capture_output=True, text=True)
    lines = proc.stderr.splitlines()
    if proc.returncode == 0 and not proc.stderr and not proc.stdout:
        return None
    prefix = f"helion-mlir: error: {path}: "
    if proc.returncode != 1 or len(lines) != 1 or not lines[0].startswith(prefix):
        return f"(exit {proc.returncode}, {len(lines)} lines: {proc.stderr.strip()[:200]!r})"
    return lines[0][len(prefix):].split(": ", 1)[0]


disagreements = []
fixtures = sorted((repo / "test" / "fixtures").glob("*.json"))
for path in fixtures:
    refusals = python_refusal(path), c_refusal(path)
    if refusals != (None, None):
        disagreements.append(f"{path.name}: a fixture, refused by Python at {refusals[0]}, by C at {refusals[1]}")
inputs = repo / "test" / "spec-inputs"
table = [m for m in map(ROW.match, (inputs / "README.md").read_text().splitlines()) if m]
for row in table:
    path = inputs / row["file"]
    refusals = python_refusal(path), c_refusal(path)
    if refusals != (row["path"], row["path"]):
        disagreements.append(f"{row['file']}: refused at {row['path']} by the table, "
                             f"by Python at {refusals[0]}, by C at {refusals[1]}")
for line in disagreements:
    print(line, file=sys.stderr)
if not fixtures or not table or disagreements:
    sys.exit(1)
print(f"readers agree on {len(fixtures)} fixtures and {len(table)} hostile inputs")
