"""The hostile inputs of test/spec-inputs/: validate_spec refuses each one with one line naming the
JSON path its README table gives, so every input breaks the rule it documents and no other first."""

import json
import pathlib
import re

import pytest

from helion2json import SpecError, validate_spec

INPUTS = pathlib.Path(__file__).resolve().parents[2] / "test" / "spec-inputs"
ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<fixture>\w+) \| `(?P<path>[^`]+)` \| (?P<kind>[\w-]+) \|")


def table() -> dict[str, str]:
    rows = [ROW.match(line) for line in (INPUTS / "README.md").read_text().splitlines()]
    return {m["file"]: m["path"] for m in rows if m}


def test_every_input_is_in_the_table():
    assert sorted(p.name for p in INPUTS.glob("*.json")) == sorted(table())


@pytest.mark.parametrize("name, path", sorted(table().items()))
def test_input_is_refused_at_its_path(name, path):
    with pytest.raises(SpecError) as info:
        validate_spec(json.loads((INPUTS / name).read_text()))
    assert info.value.path == path
    assert "\n" not in str(info.value)
