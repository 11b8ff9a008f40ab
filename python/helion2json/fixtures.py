"""The fixture table (test/fixtures/fixtures.txt) and its regeneration, for `make fixtures` and the tests.

`python -m helion2json.fixtures [NAME ...]`, run from the repository root, rewrites
test/fixtures/NAME.json for the named fixtures, or for all of them.
"""

from __future__ import annotations

import os
import shlex
import sys

from .errors import CaptureError

TABLE = os.path.join("test", "fixtures", "fixtures.txt")


def read_table(path: str = TABLE) -> list[tuple[str, list[str]]]:
    """(name, helion2json arguments) for each fixture, in the table's order."""
    fixtures = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            words = shlex.split(line, comments=True)
            if not words:
                continue
            if len(words) < 2 or any(w in ("--out", "-o") for w in words):
                raise CaptureError(f"{path}:{lineno}: expected NAME and helion2json arguments without --out")
            fixtures.append((words[0], words[1:]))
    return fixtures


def capture(args: list[str], out: str) -> int:
    """Capture one fixture in this process (binding is the slow part, not starting Python)."""
    from .cli import main

    return main([*args, "--out", out])


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    try:
        table = read_table()
    except (OSError, CaptureError) as e:
        print(f"regen-fixtures: error: {e}", file=sys.stderr)
        return 1
    known = [name for name, _ in table]
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"regen-fixtures: error: no fixture named {', '.join(unknown)} in {TABLE}", file=sys.stderr)
        return 1
    status = 0
    for name, args in table:
        if names and name not in names:
            continue
        out = os.path.join(os.path.dirname(TABLE), f"{name}.json")
        if capture(args, out) == 0:
            print(f"wrote {out}")
        else:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
