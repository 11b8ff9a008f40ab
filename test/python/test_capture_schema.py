"""validate_spec: every committed fixture passes, and each kind of violation is named by its JSON path."""

import json
import pathlib

import pytest

from helion2json import SpecError, validate_spec
from helion2json.fixtures import read_table

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.mark.parametrize("name", [name for name, _ in read_table(str(FIXTURES / "fixtures.txt"))])
def test_committed_fixture_is_valid(name):
    validate_spec(load(name))


def node_index(spec: dict, graph: int, target: str) -> int:
    return next(i for i, n in enumerate(spec["graphs"][graph]["nodes"]) if n["target"] == target)


ADD_NODE = "aten.add.Tensor"


def set_node_arg(spec, value):
    i = node_index(spec, 0, ADD_NODE)
    spec["graphs"][0]["nodes"][i]["args"][0] = value
    return f"$.graphs[0].nodes[{i}].args[0]"


def forward_reference(spec):
    """A node may only use nodes defined before it in its graph."""
    nodes = spec["graphs"][0]["nodes"]
    i = node_index(spec, 0, ADD_NODE)
    nodes[i]["args"][0] = {"node": nodes[i + 1]["name"]}
    return f"$.graphs[0].nodes[{i}].args[0].node"


def duplicate_node(spec):
    nodes = spec["graphs"][0]["nodes"]
    nodes[1]["name"] = nodes[0]["name"]
    return "$.graphs[0].nodes[1].name"


def node_val_dtype(spec):
    i = node_index(spec, 0, ADD_NODE)
    spec["graphs"][0]["nodes"][i]["val"]["dtype"] = "float8"
    return f"$.graphs[0].nodes[{i}].val.dtype"


def unknown_target(spec):
    i = node_index(spec, 0, ADD_NODE)
    spec["graphs"][0]["nodes"][i]["target"] = "aten_v2.add"
    return f"$.graphs[0].nodes[{i}].target"


def missing_val(spec):
    i = node_index(spec, 0, ADD_NODE)
    del spec["graphs"][0]["nodes"][i]["val"]
    return f"$.graphs[0].nodes[{i}]"


def assign(*path_and_value):
    """A mutation that sets spec[k1][k2]... = value and expects the error at that path."""
    *keys, value = path_and_value

    def mutate(spec):
        target = spec
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
        return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys)

    mutate.__name__ = "_".join(str(k) for k in keys)
    return mutate


def delete(*keys):
    def mutate(spec):
        target = spec
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]
        return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys[:-1])

    mutate.__name__ = "del_" + "_".join(str(k) for k in keys)
    return mutate


@pytest.mark.parametrize("mutate, message", [
    (assign("version", 3), "unsupported version 3 (this reader takes versions 1 and 2)"),
    (assign("version", "1"), "expected integer, got string"),
    (assign("version", True), "expected integer, got bool"),
    (delete("kernel"), "missing field 'kernel'"),
    (delete("kernel", "name"), "missing field 'name'"),
    (assign("symbols", {}), "expected array, got object"),
    (assign("symbols", 0, "kind", "constant"), "unknown symbol kind 'constant'"),
    (assign("block_sizes", 1, "block_id", 3), "block ids are dense: expected 1"),
    (assign("block_sizes", 0, "reduction", "no"), "expected bool, got string"),
    (assign("block_sizes", 0, "tile_size", True), "expected integer or null, got bool"),
    (assign("block_sizes", 0, "tile_size", 0), "a tile size is positive, got 0"),
    (lambda s: assign("block_sizes", 0, "loops", [0])(s) + "[0]", "0 is not the id of a loop graph"),
    (assign("host_tensors", 0, "dtype", "complex64"), "unknown dtype 'complex64'"),
    (assign("host_tensors", 0, "shape", 0, "s9"), "symbol 's9' is not in $.symbols"),
    (assign("host_tensors", 0, "shape", 0, -1), "negative size -1"),
    (assign("host_tensors", 0, "shape", 1, 7.5), "a size is an integer or a symbolic expression string"),
    (assign("host_tensors", 0, "stride", [1]), "stride and shape differ in rank"),
    (assign("host_tensors", 0, "source", "borrowed"), "expected 'argument' or 'allocated', got 'borrowed'"),
    (assign("host_tensors", 2, "arg_index", 2), "an argument has an arg_index; an allocated tensor has null"),
    (assign("host_tensors", 1, "name", "x"), "host tensor 'x' listed twice"),
    (assign("outputs", 0, "result"), "'result' is not a host tensor"),
    (assign("grid", 0, "root_graph", 5), "5 is not the id of a root graph"),
    (assign("grid", 0, "block_ids", 1, 9), "9 is not a block id"),
    (assign("graphs", 0, "id", 1), "graph ids are dense: expected 0"),
    (assign("graphs", 0, "kind", "parallel_loop"), "unknown graph kind 'parallel_loop'"),
    (assign("graphs", 0, "nodes", 0, "op", "get_attr"), "unknown node op 'get_attr'"),
    (assign("graphs", 0, "nodes", 0, "loc", "examples/add.py:12"), "expected object or null, got string"),
    (unknown_target, "op 'aten_v2.add' is not known to the schema"),
    (lambda s: set_node_arg(s, {"node": "lod"}) + ".node", "reference to undefined node 'lod'"),
    (forward_reference, "reference to undefined node"),
    (duplicate_node, "defined twice"),
    (lambda s: set_node_arg(s, {"tensor": "x"}), "unknown argument tag 'tensor'"),
    (lambda s: set_node_arg(s, {"node": "load", "dtype": "float32"}), "a tagged argument has exactly one key"),
    (lambda s: set_node_arg(s, {"dtype": "float4"}) + ".dtype", "unknown dtype 'float4'"),
    (lambda s: set_node_arg(s, {"slice": [None, None]}) + ".slice", "a slice is [start, stop, step]"),
    (lambda s: set_node_arg(s, {"float": "infinity"}) + ".float", "a non-finite float is"),
    (lambda s: set_node_arg(s, {"sym": "2*s9"}) + ".sym", "symbol 's9' is not in $.symbols"),
    (node_val_dtype, "unknown dtype 'float8'"),
    (missing_val, "missing field 'val'"),
])
def test_violation_is_named_by_path(mutate, message):
    spec = load("add")
    path = mutate(spec)
    with pytest.raises(SpecError) as info:
        validate_spec(spec)
    assert info.value.path == path
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}: ")


def test_no_tensor_arguments_is_a_violation():
    spec = load("add")
    for t in spec["host_tensors"]:
        t["source"], t["arg_index"] = "allocated", None
    spec["outputs"] = []
    with pytest.raises(SpecError, match=r"^\$\.host_tensors: the kernel has no tensor arguments$"):
        validate_spec(spec)


def test_symbolic_expressions_may_call_functions():
    spec = load("add")
    spec["host_tensors"][2]["shape"][0] = "Max(1, u0)"
    validate_spec(spec)


def test_integers_fit_64_bits():
    spec = load("add")
    spec["host_tensors"][0]["shape"][0] = 2**63
    with pytest.raises(SpecError, match=r"^\$\.host_tensors\[0\]\.shape\[0\]: .*got an integer beyond 64 bits$"):
        validate_spec(spec)


def test_not_an_object():
    with pytest.raises(SpecError, match=r"^\$: expected object, got array$"):
        validate_spec([])
