"""Helion's backend "mlir": kernel(*args) on CPU tensors, Helion's host code run as Helion runs it,
the device function compiled by the C core from its interchange spec and run by the JIT."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import torch

import helion
from helion._compiler.backend_registry import list_backends

import helion_mlir
from helion_mlir import _runtime
from helion_mlir._launch import LaunchError

from kernels import host_code as k


def test_importing_helion_mlir_registers_the_backend():
    assert "mlir" in list_backends()
    assert k.axpy.settings.backend == "mlir"


@pytest.mark.parametrize("kernel, args, reference", [
    (k.scale_flat, (torch.randn(12, 7),), lambda x: x * 2.0),
    (k.add_broadcast, (torch.randn(20, 9), torch.randn(20, 9)), lambda x, y: x + y),
    (k.row_sums_mean, (torch.randn(33, 18),), lambda x: x.sum(-1).mean()),
    (k.weighted_column_sums, (torch.randn(21, 5), torch.randn(21, 5)),
     lambda x, w: (x * 2 * w).sum(0).to(torch.float64)),
], ids=["view-and-view-back", "broadcast_tensors", "mean-of-result", "reassigned-assert-sum-cast"])
def test_host_code_runs_as_helion_runs_it(kernel, args, reference):
    result = kernel(*args)
    expected = reference(*args)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    torch.testing.assert_close(result, expected, rtol=1e-5, atol=1e-5)


def _views():
    """(name, x, out, base of out): inputs and outputs that are views, none of them contiguous."""
    base = torch.full((50, 90), -7.0)
    return [
        ("transposed", torch.randn(17, 30).t(), torch.empty(17, 30).t(), None),
        ("sliced-with-offset", torch.randn(40, 40)[3:33, 5:22], base[7:37, 11:28], base),
        ("strided-columns", torch.randn(30, 34)[:, ::2], base[10:40, ::5][:, :17], base),
    ]


@pytest.mark.parametrize("kernel", [k.scale_into, k.scale_into_dynamic], ids=["static", "dynamic"])
@pytest.mark.parametrize("index", range(3), ids=[v[0] for v in _views()])
def test_views_are_read_and_written_in_place(kernel, index):
    _, x, out, base = _views()[index]
    assert not x.is_contiguous() and not out.is_contiguous()
    untouched = None if base is None else base.clone()
    result = kernel(x, out)
    assert result is out
    torch.testing.assert_close(out, 3.0 * x, rtol=0, atol=0)
    if base is not None:  # nothing outside the view was written
        outside = torch.ones_like(base, dtype=torch.bool)
        outside[tuple(_view_index(base, out))] = False
        assert torch.equal(base[outside], untouched[outside])


def _view_index(base, view):
    """The positions of `view`'s elements in `base`, as index tensors."""
    flat = torch.arange(base.numel()).view(base.shape).as_strided(view.shape, view.stride(), view.storage_offset())
    return torch.unravel_index(flat.reshape(-1), base.shape)


def test_broadcast_arguments_with_stride_zero():
    x, y = torch.randn(20, 1), torch.randn(1, 9)
    torch.testing.assert_close(k.add_broadcast(x, y), x + y, rtol=0, atol=0)


def test_a_tuple_return_with_none():
    x = torch.randn(9, 4)
    out, none = k.plus_one_and_none(x)
    assert none is None
    torch.testing.assert_close(out, x + 1)


def test_an_argument_written_in_place_and_no_return():
    x, out = torch.randn(16, 3), torch.randn(16, 3)
    expected = out + x
    assert k.add_into(x, out) is None
    torch.testing.assert_close(out, expected)


def test_a_failing_host_assert_is_the_kernels_own_error():
    with pytest.raises(AssertionError, match="x and w differ"):
        k.weighted_column_sums(torch.randn(4, 5), torch.randn(5, 4))


def test_scalar_values_reuse_one_module(monkeypatch):
    x, y = torch.randn(19, 6), torch.randn(19, 6)
    k.axpy(x, y, 1.0)
    compiles = []
    monkeypatch.setattr(_runtime, "compile_spec", lambda spec: compiles.append(spec))
    for a in (0.5, -3.0, 1e3):
        torch.testing.assert_close(k.axpy(x, y, a), a * x + y)
    assert compiles == []


def test_a_second_call_does_not_recompile(monkeypatch):
    real = _runtime.compile_spec
    compiles = []
    monkeypatch.setattr(_runtime, "compile_spec", lambda spec: compiles.append(spec) or real(spec))
    x, y = torch.randn(23, 11), torch.randn(23, 11)
    for _ in range(3):
        torch.testing.assert_close(k.add_tiles_of_x(x, y), x + y)
    assert len(compiles) == 1
    x2, y2 = torch.randn(24, 11), torch.randn(24, 11)
    torch.testing.assert_close(k.add_tiles_of_x(x2, y2), x2 + y2)
    assert len(compiles) == 2  # static_shapes: a new shape is a new module


def test_dynamic_shapes_reuse_one_module(monkeypatch):
    k.add_dynamic(torch.randn(30, 17), torch.randn(30, 17))
    compiles = []
    monkeypatch.setattr(_runtime, "compile_spec", lambda spec: compiles.append(spec))
    for shape in [(64, 9), (7, 33)]:
        x, y = torch.randn(shape), torch.randn(shape)
        torch.testing.assert_close(k.add_dynamic(x, y), x + y)
    assert compiles == []


def test_sizes_and_strides_no_memref_has_are_launch_arguments():
    x = torch.randn(30, 17)
    torch.testing.assert_close(k.add_row_stride(x), x + 17)
    torch.testing.assert_close(k.add_row_stride(x.t()), x.t() + 1)
    torch.testing.assert_close(k.add_sizes_of_other(x, torch.randn(5, 30)), x + 5)
    torch.testing.assert_close(k.add_sizes_of_other(x, torch.randn(9, 30)), x + 9)


@pytest.mark.parametrize("kernel, y, message", [
    (k.add_tiles_of_x, torch.randn(30, 16),
     r"add_tiles_of_x: tensor 'y' \(device argument 1\): dimension 1 has size 16, but the kernel indexes "
     r"it with tiles spanning 17$"),
    (k.add_dynamic, torch.randn(30, 8),
     r"add_dynamic: tensor 'y' \(device argument 1\): dimension 1 has size 8, but the kernel indexes it "
     r"with tiles spanning 17 \(x.size\(1\)\)$"),
], ids=["static", "dynamic"])
def test_an_argument_too_small_for_the_tiles_is_refused(kernel, y, message):
    with pytest.raises(LaunchError, match=message):
        kernel(torch.randn(30, 17), y)


def test_matmul_with_mismatched_k_raises():
    from helion2json.cli import load_entry

    matmul = helion_mlir.backend.as_mlir_kernel(load_entry("examples/matmul.py:matmul")[0])
    with pytest.raises(AssertionError, match="size mismatch 70 != 60"):
        matmul(torch.randn(100, 70), torch.randn(60, 50))


def _device_function(kernel, args, config=None):
    """The compiled device function of `kernel` bound to `args`, as the generated module holds it."""
    bound = kernel.bind(args)
    host = bound.compile_config(config or bound.config_spec.default_config())
    found = [v for v in host.__globals__.values() if isinstance(v, _runtime.DeviceFunction)]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("args, message", [
    ((torch.randn(30, 17), torch.randn(30, 17)), r"the launcher got 2 arguments, the device function takes 3"),
    ((torch.randn(30, 17), torch.randn(30, 18), torch.empty(30, 17)),
     r"tensor 'y' \(device argument 1\): dimension 1 has size 18, the kernel was compiled for 17"),
    ((torch.randn(30, 17), torch.randn(30, 17, dtype=torch.float64), torch.empty(30, 17)),
     r"tensor 'y' \(device argument 1\): got torch.float64, the kernel was compiled for torch.float32"),
    ((torch.randn(30, 17), torch.randn(30), torch.empty(30, 17)),
     r"tensor 'y' \(device argument 1\): got rank 1, the kernel was compiled for rank 2"),
    ((torch.randn(30, 17), torch.randn(30, 34)[:, ::2], torch.empty(30, 17)),
     r"tensor 'y' \(device argument 1\): dimension 0 has stride 34, the kernel was compiled for 17"),
    ((torch.randn(30, 17), 1.0, torch.empty(30, 17)), r"tensor 'y' \(device argument 1\): expected a tensor, got float"),
], ids=["count", "size", "dtype", "rank", "stride", "not-a-tensor"])
def test_each_launch_is_checked_against_the_compiled_signature(args, message):
    device_fn = _device_function(k.add_tiles_of_x, (torch.randn(30, 17), torch.randn(30, 17)))
    with pytest.raises(LaunchError, match=f"^add_tiles_of_x: {message}$"):
        device_fn.launch(args)


def test_a_scalar_of_the_wrong_type_is_refused_at_launch():
    x, y = torch.randn(8, 3), torch.randn(8, 3)
    device_fn = _device_function(k.axpy, (x, y, 2.0))
    with pytest.raises(LaunchError, match=r"^axpy: scalar 'a' \(device argument 3\): expected a float, got str$"):
        device_fn.launch((x, y, torch.empty_like(x), "2"))


def test_helion_backend_environment_variable_selects_mlir(tmp_path):
    script = tmp_path / "env_backend.py"
    script.write_text(textwrap.dedent("""
        import torch
        import helion_mlir
        import helion
        import helion.language as hl

        @helion.kernel(autotune_effort="none")
        def double(x: torch.Tensor) -> torch.Tensor:
            out = torch.empty_like(x)
            for tile in hl.tile(x.size()):
                out[tile] = x[tile] * 2
            return out

        x = torch.randn(40, 3)
        torch.testing.assert_close(double(x), x * 2)
        print(double.settings.backend)
    """))
    env = dict(os.environ, HELION_BACKEND="mlir")
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "mlir"


def test_a_user_config_is_the_one_compiled():
    @helion.kernel(backend="mlir", config=helion.Config(block_sizes=[8, 4]))
    def copy(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in helion.language.tile(x.size()):
            out[tile] = x[tile]
        return out

    x = torch.randn(20, 10)
    torch.testing.assert_close(copy(x), x)
    device_fn = _device_function(copy, (x,), copy.configs[0])
    assert [b["tile_size"] for b in device_fn.spec["block_sizes"]] == [8, 4]


def test_a_size_given_by_an_int_argument_is_checked_with_its_value():
    # The launch check reads the size symbol of `torch.zeros([n])` off the int argument n.
    for n in (100, 16, 1):
        torch.testing.assert_close(k.tile_counts(n, torch.device("cpu")), torch.full([n], -(-n // 16), dtype=torch.int32))


def test_a_host_tensor_sized_by_a_block_size_is_checked_with_the_tile_size():
    x = torch.randn(100, 13)
    torch.testing.assert_close(k.blocked_column_sums(x), x.sum(0), rtol=1e-4, atol=1e-4)


def test_scalars_from_a_tuple_argument_and_from_host_code_are_launch_arguments():
    x = torch.randn(37)
    for k_, s in ((5, 0.5), (-2, 10.0)):
        torch.testing.assert_close(k.shift_by_pair((x, k_), torch.tensor(s)), x + k_ + s)


def test_a_scatter_through_two_index_tensors_into_a_tensor_of_list_sizes():
    dy, indices = torch.randn(7, 4), torch.stack([torch.randperm(10)[:4] for _ in range(7)])
    expected = torch.zeros(7, 10)
    expected[torch.arange(7)[:, None], indices] = dy
    torch.testing.assert_close(k.scatter_columns(dy, indices, [7, 10]), expected)


def test_a_scalar_the_host_code_computes_from_a_float_argument_is_passed_by_value():
    x = torch.randn(23, 9)
    for p in (0.25, 0.0, -3.5):
        torch.testing.assert_close(k.keep_scaled(x, p), x * (1.0 / (1.0 - p)) + (p - 0.5), rtol=1e-6, atol=1e-6)
    device_fn = _device_function(k.keep_scaled, (x, 0.25))
    assert [(s["type"], s["symbol"]) for s in device_fn.spec["scalars"]] == [
        ("float", "FloatTrueDiv(1.0, 1.0 - zuf0)"), ("float", "zuf0 - 0.5")]


def test_an_argument_expanded_from_one_element_is_read_at_every_tile():
    # every stride 0 (Helion's matmul example's addmm bias, torch.broadcast_to of a [1] tensor)
    x, b = torch.randn(30, 20), torch.randn(1).expand(30, 20)
    kernel = helion.kernel(k.add_tiles_of_x.fn, backend="mlir", autotune_effort="none",
                           config=helion.Config(block_sizes=[8, 16]))
    torch.testing.assert_close(kernel(x, b), x + b, rtol=0, atol=0)


def test_an_inner_loop_up_to_an_int_argument():
    x = torch.randn(37, 50)
    for n in (50, 13, 1):
        torch.testing.assert_close(k.row_prefix_sums(x, n), x[:, :n].sum(-1), rtol=1e-5, atol=1e-5)


def test_a_tile_size_given_by_an_int_argument_is_compiled_for_each_value():
    """hl.tile(n, block_size=block) with block an int argument: Helion's Triton code takes the width as
    a constexpr, compiled for each value, and so does the device function (once each); a width that
    is no positive int is refused in one line."""
    x = torch.randn(100)
    for block in (32, 16, 32, 8):
        torch.testing.assert_close(k.scaled_by_block(x, block), x * 2 + block, rtol=0, atol=0)
    device_fn = _device_function(k.scaled_by_block, (x, 32), helion.Config(block_sizes=[]))
    assert {key for key in device_fn._retiled} == {(16,), (8,)}
    with pytest.raises(LaunchError, match=r"^scaled_by_block: scalar '_BLOCK_SIZE_0' \(device argument 2\) is the "
                                          r"tile size this module was compiled for, 32: got 0$"):
        device_fn.launch((x, torch.empty_like(x), 0))


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("sign", [1, -1], ids=["positive-period", "negative-period"])
def test_a_persistent_kernel_sized_by_get_num_sm_runs_on_the_cpu(torch_threads, threads, sign):
    torch_threads(threads)
    x, period = torch.randn(23, 6), torch.tensor([5 * sign])
    rows = torch.arange(23)[:, None]
    torch.testing.assert_close(k.strided_row_phases(x, period), x * (rows % period[0]), rtol=0, atol=0)


def test_get_num_sm_answers_a_cpu_only_for_backend_mlir():
    import helion

    with pytest.raises(AssertionError, match="TODO: implement for other devices"):
        helion.runtime.get_num_sm(torch.device("cpu"))


@pytest.mark.parametrize("num_seqs", [1, 2, 4])
def test_a_grid_over_an_int_the_device_function_does_not_take(num_seqs):
    """hl.tile(num_seqs, block_size=1): Triton's device function takes no num_seqs (its launch grid
    is num_seqs programs); the launcher passes it to the module, whose grid loop runs that many."""
    x, starts = torch.randn(13, 6), torch.tensor([0, 3, 3, 9, 13], dtype=torch.int32)
    out = torch.full((13, 6), -1.0)
    k.double_sequences(x, starts, num_seqs, out)
    end = int(starts[num_seqs])
    expected = torch.cat([x[:end] * 2, torch.full((13 - end, 6), -1.0)])
    torch.testing.assert_close(out, expected, rtol=0, atol=0)
