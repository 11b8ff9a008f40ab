"""The interchange's versioning rule (docs/interchange.md, "Versions"): `version` changes only for what a
reader could misread; a value added to a closed list (a dtype, a symbol kind) needs none, because both
readers refuse a value they do not know in one line naming its JSON path, so an older reader refuses
a spec that uses it and reads every other. Both readers' closed lists are the schema's."""

import copy
import json
import pathlib
import subprocess

import pytest

from helion2json import SpecError, validate_spec
from helion2json.schema import spec_version

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "test" / "fixtures"
TOOL = REPO / "build" / "bin" / "helion-mlir"
SCHEMA = json.loads((REPO / "docs" / "interchange.schema.json").read_text())


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def symbol_kinds(spec: dict) -> set[str]:
    return {s["kind"] for s in spec["symbols"]}


def dtypes(spec: dict) -> set[str]:
    return {t["dtype"] for t in spec["host_tensors"]}


def c_reader(spec: dict, tmp_path: pathlib.Path) -> subprocess.CompletedProcess:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return subprocess.run([TOOL, "--check-spec", str(path)], capture_output=True, text=True)


def test_what_a_reader_could_misread_bumps_and_nothing_else():
    """jagged_parents (a loop's row masks, lost by a reader that ignored it) is version 2, written only
    when used; the fp8 dtypes and the tile_end/tile_id/tile_count symbol kinds came without a bump."""
    assert spec_version([{"block_id": 0}]) == 1
    assert spec_version([{"block_id": 0}, {"block_id": 1, "jagged_parents": [0]}]) == 2
    assert fixture("jagged_tile_max")["version"] == 2
    fp8, positions = fixture("fp8_convert"), fixture("tile_outer_positions")
    assert "float8_e4m3fn" in dtypes(fp8) and fp8["version"] == 1
    assert {"tile_end", "tile_id", "tile_count"} <= symbol_kinds(positions) and positions["version"] == 1


def set_host_dtype(spec: dict, value: str) -> str:
    spec["host_tensors"][0]["dtype"] = value
    return "$.host_tensors[0].dtype"


def set_val_dtype(spec: dict, value: str) -> str:
    index = next(i for i, n in enumerate(spec["graphs"][0]["nodes"]) if n["val"].get("dtype"))
    spec["graphs"][0]["nodes"][index]["val"]["dtype"] = value
    return f"$.graphs[0].nodes[{index}].val.dtype"


def set_symbol_kind(spec: dict, value: str) -> str:
    spec["symbols"][0]["kind"] = value
    return "$.symbols[0].kind"


def set_graph_kind(spec: dict, value: str) -> str:
    spec["graphs"][0]["kind"] = value
    return "$.graphs[0].kind"


# A value of each closed list that a newer writer might add, as this reader meets it.
NEWER = [
    (set_host_dtype, "float4_e2m1fn_x2", "unknown dtype 'float4_e2m1fn_x2'"),
    (set_val_dtype, "float8_e8m0fnu", "unknown dtype 'float8_e8m0fnu'"),
    (set_symbol_kind, "tile_stride", "unknown symbol kind 'tile_stride'"),
    (set_graph_kind, "scan_loop", "unknown graph kind 'scan_loop'"),
]


@pytest.mark.parametrize("mutate,value,message", NEWER, ids=[m[0].__name__ for m in NEWER])
def test_a_newer_value_is_one_line_at_its_path_in_both_readers(mutate, value, message, tmp_path):
    spec = fixture("add")
    path = mutate(spec, value)
    with pytest.raises(SpecError) as refused:
        validate_spec(spec)
    assert (refused.value.path, str(refused.value)) == (path, f"{path}: {message}")
    proc = c_reader(spec, tmp_path)
    assert proc.returncode == 1 and not proc.stdout
    assert proc.stderr.splitlines() == [f"helion-mlir: error: {tmp_path / 'spec.json'}: {path}: {message}"]


def enum(*keys: str) -> list[str]:
    node = SCHEMA
    for key in keys:
        node = node[key]
    return node["enum"]


@pytest.mark.parametrize("mutate,values,what", [
    (set_host_dtype, enum("$defs", "dtype"), "dtype"),
    (set_symbol_kind, enum("$defs", "symbol", "properties", "kind"), "symbol kind"),
    (set_graph_kind, enum("$defs", "graph", "properties", "kind"), "graph kind"),
], ids=["dtype", "symbol kind", "graph kind"])
def test_both_readers_know_every_value_of_the_schema(mutate, values, what, tmp_path):
    """A value added to the schema's list is added to both readers (another rule may still refuse the
    mutated spec, never as an unknown value)."""
    for value in values:
        spec = copy.deepcopy(fixture("add"))
        mutate(spec, value)
        try:
            validate_spec(spec)
        except SpecError as e:
            assert f"unknown {what}" not in str(e), value
        assert f"unknown {what}" not in c_reader(spec, tmp_path).stderr, value
