"""helion2json's Python API: what export_kernel captures from real kernels, and the errors it reports."""

import functools
import json
import math

import pytest
import torch

import helion2json
from helion2json import CaptureError, capture, encode, export_kernel, validate_spec

FOR_LOOP = "helion.language._tracing_ops._for_loop"
IF = "helion.language._tracing_ops._if"
LOAD = "helion.language.memory_ops.load"
STORE = "helion.language.memory_ops.store"
HOST_TENSOR = "helion.language._tracing_ops._host_tensor"
GET_SYMNODE = "helion.language._tracing_ops._get_symnode"


def source_line(path: str, text: str) -> int:
    """The 1-based line of `path` that contains `text` (once)."""
    with open(path) as f:
        hits = [i for i, line in enumerate(f, 1) if text in line]
    assert len(hits) == 1, f"{text!r} occurs {len(hits)} times in {path}"
    return hits[0]


def nodes(graph: dict, target: str) -> list[dict]:
    return [n for n in graph["nodes"] if n["target"] == target]


def node(graph: dict, name: str) -> dict:
    (found,) = [n for n in graph["nodes"] if n["name"] == name]
    return found


def referenced(graph: dict, arg: dict) -> dict:
    """The node an argument {"node": NAME} refers to."""
    assert set(arg) == {"node"}, arg
    return node(graph, arg["node"])


def graphs_of(spec: dict, kind: str) -> list[dict]:
    return [g for g in spec["graphs"] if g["kind"] == kind]


@functools.cache
def matmul_spec(config_json: str | None = None, dtype: torch.dtype = torch.float32) -> dict:
    from helion2json.cli import load_entry

    kernel = load_entry("examples/matmul.py:matmul")[0]
    args = (torch.randn(100, 70, dtype=dtype), torch.randn(70, 50, dtype=dtype))
    return export_kernel(kernel, args, None if config_json is None else json.loads(config_json))


def test_matmul_k_loop_accumulates_addmm_of_loads():
    spec = matmul_spec()
    (loop,) = graphs_of(spec, "for_loop")
    (addmm,) = nodes(loop, "aten.addmm.default")
    lhs, rhs = (referenced(loop, a) for a in addmm["args"][1:3])
    assert lhs["target"] == rhs["target"] == LOAD
    assert [referenced(loop, n["args"][0])["args"] for n in (lhs, rhs)] == [["x"], ["y"]]
    assert addmm["val"] == {"type": "tensor", "shape": ["u0", "u1"], "dtype": "float32"}
    assert lhs["val"]["shape"] == ["u0", "u2"] and rhs["val"]["shape"] == ["u2", "u1"]
    # The accumulator enters the loop as a placeholder and leaves through the output node.
    placeholder = referenced(loop, referenced(loop, addmm["args"][0])["args"][0])
    assert placeholder["op"] == "placeholder"
    assert loop["nodes"][-1]["args"] == [[{"node": addmm["name"]}]]


def test_matmul_root_runs_the_loop_and_stores_the_result():
    spec = matmul_spec()
    (root,) = graphs_of(spec, "root")
    (loop,) = graphs_of(spec, "for_loop")
    (call,) = nodes(root, FOR_LOOP)
    assert call["args"][0] == loop["id"]
    assert call["args"][1:3] == [[0], [70]]
    assert loop["block_ids"] == [2]
    (store,) = nodes(root, STORE)
    assert referenced(root, store["args"][0])["args"] == ["out"]
    assert spec["grid"] == [{"root_graph": root["id"], "block_ids": [0, 1]}]


def test_matmul_block_sizes_follow_the_config():
    spec = matmul_spec('{"block_sizes": [32, 32, 16]}')
    (loop,) = graphs_of(spec, "for_loop")
    table = [(b["block_id"], b["size"], b["tile_size"], b["grid"], b["reduction"], b["loops"])
             for b in spec["block_sizes"]]
    assert table == [(0, 100, 32, True, False, []), (1, 50, 32, True, False, []),
                     (2, 70, 16, False, False, [loop["id"]])]
    assert spec["config"]["block_sizes"] == [32, 32, 16]
    symbols = {s["name"]: s for s in spec["symbols"]}
    assert [(symbols[b["symbol"]]["kind"], symbols[b["symbol"]]["value"]) for b in spec["block_sizes"]] == \
        [("block_size", 32), ("block_size", 32), ("block_size", 16)]


def test_default_config_is_the_kernels_default():
    from helion2json.cli import load_entry

    kernel = load_entry("examples/matmul.py:matmul")[0]
    bound = kernel.bind((torch.randn(100, 70), torch.randn(70, 50)))
    default = bound.config_spec.default_config()
    assert matmul_spec()["config"]["block_sizes"] == list(default.block_sizes)
    assert [b["tile_size"] for b in matmul_spec()["block_sizes"]] == list(default.block_sizes)


def test_matmul_host_tensors():
    tensors = {t["name"]: t for t in matmul_spec()["host_tensors"]}
    assert list(tensors) == ["x", "y", "out"]
    assert tensors["x"] == {"name": "x", "source": "argument", "arg_index": 0, "shape": [100, 70],
                            "stride": [70, 1], "dtype": "float32"}
    assert tensors["y"]["shape"] == [70, 50] and tensors["y"]["stride"] == [50, 1]
    assert tensors["out"] == {"name": "out", "source": "allocated", "arg_index": None, "shape": [100, 50],
                              "stride": [50, 1], "dtype": "float32"}
    assert matmul_spec()["outputs"] == ["out"]


def test_transposed_argument_keeps_its_strides(load_kernel):
    x = torch.randn(70, 100).t()
    spec = export_kernel(load_kernel("examples/matmul.py:matmul"), (x, torch.randn(70, 50)))
    assert spec["host_tensors"][0]["shape"] == [100, 70]
    assert spec["host_tensors"][0]["stride"] == [1, 100]


def test_matmul_f16_accumulates_in_f32_and_converts_before_the_store():
    spec = matmul_spec(None, torch.float16)
    assert [t["dtype"] for t in spec["host_tensors"]] == ["float16"] * 3
    (loop,) = graphs_of(spec, "for_loop")
    (addmm,) = nodes(loop, "aten.addmm.default")
    assert addmm["val"]["dtype"] == "float32"
    assert referenced(loop, addmm["args"][1])["val"]["dtype"] == "float16"
    (root,) = graphs_of(spec, "root")
    (store,) = nodes(root, STORE)
    value = referenced(root, store["args"][2])
    assert value["target"] == "prims.convert_element_type.default"
    assert value["args"][1] == {"dtype": "float16"}
    assert value["val"]["dtype"] == "float16"


def test_nodes_carry_their_source_line():
    spec = matmul_spec()
    (loop,) = graphs_of(spec, "for_loop")
    (addmm,) = nodes(loop, "aten.addmm.default")
    assert addmm["loc"]["file"] == "examples/matmul.py"
    assert addmm["loc"]["line"] == source_line("examples/matmul.py", "torch.addmm(")
    assert addmm["loc"]["col"] >= 1
    assert spec["kernel"]["file"] == "examples/matmul.py"
    assert spec["kernel"]["line"] == source_line("examples/matmul.py", "def matmul(")
    calls = [n for g in spec["graphs"] for n in g["nodes"] if n["op"] == "call_function"]
    assert all(n["loc"] and n["loc"]["file"] == "examples/matmul.py" for n in calls)


def test_add_is_one_root_graph_of_loads_add_store(load_kernel):
    spec = export_kernel(load_kernel("examples/add.py:add"), (torch.randn(100, 77), torch.randn(100, 77)))
    (root,) = spec["graphs"]
    assert root["kind"] == "root"
    (add,) = nodes(root, "aten.add.Tensor")
    assert [referenced(root, a)["target"] for a in add["args"]] == [LOAD, LOAD]
    (store,) = nodes(root, STORE)
    assert store["args"][2] == {"node": add["name"]}
    assert [(b["size"], b["grid"]) for b in spec["block_sizes"]] == [(100, True), (77, True)]


def test_persistent_softmax_exports_only_the_graph_it_runs(load_kernel):
    spec = export_kernel(load_kernel("examples/softmax.py:softmax"), (torch.randn(100, 77),))
    # Helion also builds the rolled-reduction alternatives; a persistent reduction runs none of them.
    assert [g["kind"] for g in spec["graphs"]] == ["root"]
    root = spec["graphs"][0]
    (amax,) = nodes(root, "aten.amax.default")
    masked = referenced(root, amax["args"][0])
    assert masked["target"] == "helion.language._tracing_ops._mask_to"
    assert masked["args"][1] == {"float": "-inf"}
    reduction = spec["block_sizes"][1]
    assert reduction["reduction"] and reduction["size"] == 77 and reduction["loops"] == []
    load = referenced(root, masked["args"][0])
    assert load["args"][1][1] == {"slice": [None, None, None]}


def test_looped_softmax_runs_three_reduction_loops(load_kernel):
    config = {"block_sizes": [16], "reduction_loops": [32]}
    spec = export_kernel(load_kernel("examples/softmax.py:softmax"), (torch.randn(100, 77),), config)
    (root,) = graphs_of(spec, "root")
    loops = graphs_of(spec, "reduction_loop")
    assert len(spec["graphs"]) == 1 + len(loops) == 4
    calls = nodes(root, FOR_LOOP)
    assert sorted(c["args"][0] for c in calls) == sorted(g["id"] for g in loops)
    assert spec["block_sizes"][1]["tile_size"] == 32
    assert spec["block_sizes"][1]["loops"] == [g["id"] for g in loops]
    assert spec["grid"] == [{"root_graph": root["id"], "block_ids": [0]}]
    assert all(g["block_ids"] == [1] for g in loops)
    # The loop bound is the whole reduction extent, read through a symnode.
    bound = referenced(root, calls[0]["args"][2][0])
    assert bound["target"] == GET_SYMNODE and bound["val"] == {"type": "int", "value": 77}


def test_tuple_return_lists_every_output(load_kernel):
    kernel = load_kernel("test/python/kernels/multi_output.py:add_sub")
    spec = export_kernel(kernel, (torch.randn(10, 7), torch.randn(10, 7)))
    assert spec["outputs"] == ["total", "diff"]
    allocated = [t["name"] for t in spec["host_tensors"] if t["source"] == "allocated"]
    assert allocated == ["total", "diff"]
    (root,) = spec["graphs"]
    stored = [referenced(root, s["args"][0])["args"][0] for s in nodes(root, STORE)]
    assert stored == ["total", "diff"]


def test_dynamic_sizes_and_scalar_arguments_are_symbols(load_kernel):
    spec = export_kernel(load_kernel("test/python/kernels/dynamic.py:scale"), (torch.randn(13), 0.5))
    assert spec["kernel"]["static_shapes"] is False
    symbols = {s["name"]: s for s in spec["symbols"]}
    (x,) = [t for t in spec["host_tensors"] if t["name"] == "x"]
    (size,) = x["shape"]
    assert symbols[size] == {"name": size, "kind": "size", "value": 13, "tensor": "x", "dim": 0}
    assert spec["block_sizes"][0]["size"] == size
    (alpha,) = spec["scalars"]
    assert (alpha["name"], alpha["arg_index"], alpha["type"], alpha["value"]) == ("alpha", 1, "float", 0.5)
    assert symbols[alpha["symbol"]] == {"name": alpha["symbol"], "kind": "scalar", "arg_index": 1, "value": 0.5}
    (root,) = spec["graphs"]
    (mul,) = nodes(root, "aten.mul.Tensor")
    factor = referenced(root, mul["args"][1])
    assert factor["target"] == GET_SYMNODE
    assert factor["val"] == {"type": "sym", "expr": alpha["symbol"], "dtype": "float64"}


def test_branch_graphs_are_referenced_by_id(load_kernel):
    spec = export_kernel(load_kernel("test/python/kernels/dynamic.py:double_first_tile"), (torch.randn(13),))
    (root,) = graphs_of(spec, "root")
    (call,) = nodes(root, IF)
    kinds = {g["id"]: g["kind"] for g in spec["graphs"]}
    assert (kinds[call["args"][1]], kinds[call["args"][2]]) == ("if", "else")
    test = referenced(root, call["args"][0])
    assert test["target"] == "operator.eq"
    assert test["val"]["dtype"] == "bool"
    begin = referenced(root, test["args"][0])
    assert {"name": begin["val"]["expr"], "kind": "grid_index", "block_id": 0, "value": None} in spec["symbols"]


def test_if_graph_says_where_each_branch_keeps_a_merged_variable(load_kernel):
    # The if branch doubles `v`; the else branch leaves it alone, so it yields the value from before.
    spec = export_kernel(load_kernel("test/python/kernels/dynamic.py:double_first_tile"), (torch.randn(13),))
    (root,) = graphs_of(spec, "root")
    (if_graph,) = graphs_of(spec, "if")
    ((if_side, else_side),) = if_graph["branch_outputs"]
    (output,) = nodes(if_graph, "output")
    assert referenced(if_graph, output["args"][0][if_side])["target"] == "aten.mul.Tensor"
    assert node(root, else_side)["target"] == LOAD


def test_grid_index_symbols_name_their_block(load_kernel):
    spec = export_kernel(load_kernel("examples/control_flow.py:sign_by_row_sum"), (torch.randn(7, 9),))
    (index,) = [s for s in spec["symbols"] if s["kind"] == "grid_index"]
    assert spec["block_sizes"][index["block_id"]]["grid"]
    (root,) = graphs_of(spec, "root")
    assert any(n["target"] == GET_SYMNODE and n["val"]["expr"] == index["name"] for n in root["nodes"])


def test_round_trip_through_json_text():
    spec = matmul_spec()
    again = json.loads(json.dumps(spec))
    validate_spec(again)
    assert again == spec


def test_dump_kernel_json_writes_the_exported_spec(tmp_path, load_kernel):
    path = tmp_path / "add.json"
    args = (torch.randn(9, 5), torch.randn(9, 5))
    spec = helion2json.dump_kernel_json(load_kernel("examples/add.py:add"), str(path), example_args=args)
    assert json.loads(path.read_text()) == spec
    assert spec["host_tensors"][0]["shape"] == [9, 5]
    assert [p.name for p in tmp_path.iterdir()] == ["add.json"]


# ---- errors ----


def error(fn, *args, **kwargs) -> str:
    with pytest.raises(CaptureError) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_no_tensor_arguments(load_kernel):
    message = error(export_kernel, load_kernel("test/python/kernels/bad.py:scalars_only"), (3, 4))
    assert "no tensor arguments" in message


def test_non_cpu_tensor(load_kernel):
    message = error(export_kernel, load_kernel("examples/add.py:add"),
                    (torch.randn(4, 4), torch.empty(4, 4, device="meta")))
    assert message == "argument 1 ('y'): tensors must be on the CPU, got device 'meta'"


def test_not_a_kernel():
    from helion2json.cli import load_entry

    namespace = load_entry("test/python/kernels/bad.py:returns_expression")[1]
    message = error(export_kernel, namespace["not_a_kernel"], (torch.randn(2),))
    assert message == "expected a @helion.kernel, got function"


def test_returning_an_expression_names_the_line(load_kernel):
    path = "test/python/kernels/bad.py"
    message = error(export_kernel, load_kernel(f"{path}:returns_expression"), (torch.randn(4, 4),))
    assert message.startswith(f"{path}:{source_line(path, 'return out.view(-1)')}: ")
    assert "`out.view(-1)`" in message


def test_returns_that_disagree(load_kernel):
    path = "test/python/kernels/bad.py"
    message = error(export_kernel, load_kernel(f"{path}:returns_differently"), (torch.randn(4, 4), True))
    assert message.startswith(f"{path}:{source_line(path, 'return other')}: ")
    assert "(other)" in message and "(out)" in message


def test_view_of_an_argument(load_kernel):
    message = error(export_kernel, load_kernel("test/python/kernels/bad.py:writes_a_view"), (torch.randn(4, 5),))
    assert message.startswith("host tensor 'flat' is a view of 'x'")


def test_reassigned_argument(load_kernel):
    kernel = load_kernel("test/python/kernels/bad.py:reassigns_an_argument")
    message = error(export_kernel, kernel, (torch.randn(4, 5),))
    assert message.startswith("the kernel's host code reassigns argument 'x' before its device code uses it")


def test_the_same_tensor_twice_is_two_arguments(load_kernel):
    x = torch.randn(6, 5)
    spec = export_kernel(load_kernel("examples/add.py:add"), (x, x))
    assert [(t["name"], t["source"]) for t in spec["host_tensors"]] == \
        [("x", "argument"), ("y", "argument"), ("out", "allocated")]


@pytest.mark.parametrize("config, expected", [
    ({"block_sizes": [16, 16, 16], "bogus": 1}, "config: unknown key 'bogus'"),
    ({"block_sizes": [24, 16, 16]}, "must be a power of two, got 24"),
    ({"block_sizes": [16, 16]}, "expected 3 block sizes"),
    ({"block_sizes": [16, 16, 16], "loop_orders": [[0, 0]]}, "must be permutation"),
    ([16, 16, 16], "config: expected a dict or helion.Config, got list"),
])
def test_invalid_config(load_kernel, config, expected):
    args = (torch.randn(100, 70), torch.randn(70, 50))
    message = error(export_kernel, load_kernel("examples/matmul.py:matmul"), args, config)
    assert message.startswith("config: ")
    assert expected in message


def test_op_unknown_to_the_schema(monkeypatch, load_kernel):
    real = encode.target_name

    def renamed(target):
        name = real(target)
        return "aten_v2.addmm" if name == "aten.addmm.default" else name

    monkeypatch.setattr(encode, "target_name", renamed)
    message = error(export_kernel, load_kernel("examples/matmul.py:matmul"),
                    (torch.randn(100, 70), torch.randn(70, 50)))
    line = source_line("examples/matmul.py", "torch.addmm(")
    assert message == (f"graph 0 node 'acc' at examples/matmul.py:{line}: "
                       "op 'aten_v2.addmm' is not known to the interchange schema")


def test_graph_kind_unknown_to_the_schema(monkeypatch, load_kernel):
    monkeypatch.delitem(capture.GRAPH_KIND_BY_CLASS, "ForLoopGraphInfo")
    message = error(export_kernel, load_kernel("examples/matmul.py:matmul"),
                    (torch.randn(100, 70), torch.randn(70, 50)))
    assert message == "graph 0: graph kind ForLoopGraphInfo is not known to the interchange schema"


def test_unsupported_dtype(load_kernel):
    x = torch.randn(4, 4, dtype=torch.complex64)
    message = error(export_kernel, load_kernel("examples/add.py:add"), (x, x))
    assert "complex64" in message


def test_container_of_tensors(load_kernel):
    message = error(export_kernel, load_kernel("examples/add.py:add"), ([torch.randn(2)], torch.randn(2)))
    assert message.startswith("argument 0 ('x'): a container of tensors cannot be captured")


@pytest.mark.parametrize("call, fill", [
    ("torch.zeros([4, 5])", 0), ("torch.zeros_like(x)", 0), ("x.new_ones(3)", 1), ("torch.full([2], -1.5)", -1.5),
    ("torch.full_like(x, fill_value=2)", 2), ("torch.full([3], float('-inf'))", -math.inf),
    ("x.new_full([2], math.inf)", math.inf), ("torch.empty([4])", None), ("torch.full([2], n)", None),
])
def test_fill_value_of_a_host_allocation(call, fill):
    import ast

    assert capture._fill_value(ast.parse(call, mode="eval").body) == fill
