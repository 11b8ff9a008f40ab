"""The committed fixtures are what helion2json captures today: a change to the capture, the examples or
Helion that alters one fails here until `make fixtures` rewrites it."""

import difflib
import pathlib

import pytest

from helion2json.fixtures import TABLE, capture, read_table

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = read_table(str(ROOT / TABLE))


def test_table_names_are_unique_and_every_fixture_file_is_in_it():
    names = [name for name, _ in FIXTURES]
    assert len(names) == len(set(names))
    on_disk = sorted(p.stem for p in (ROOT / TABLE).parent.glob("*.json"))
    assert on_disk == sorted(names), "run `make fixtures` and delete fixture files that are not in the table"


@pytest.mark.parametrize("name, args", FIXTURES, ids=[name for name, _ in FIXTURES])
def test_fixture_is_fresh(tmp_path, name, args):
    committed = ROOT / "test" / "fixtures" / f"{name}.json"
    fresh = tmp_path / f"{name}.json"
    assert capture(args, str(fresh)) == 0, f"capturing {name} failed"
    if not committed.exists():
        pytest.fail(f"{committed.relative_to(ROOT)} is missing: run `make fixtures`")
    old, new = committed.read_text(), fresh.read_text()
    if old != new:
        diff = difflib.unified_diff(old.splitlines(), new.splitlines(), f"committed/{name}.json",
                                    f"captured/{name}.json", lineterm="", n=1)
        shown = "\n".join(list(diff)[:40])
        pytest.fail(f"{committed.relative_to(ROOT)} is stale: run `make fixtures` and commit the result\n{shown}")
