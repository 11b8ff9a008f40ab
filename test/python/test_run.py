"""helion_mlir on the CPU: the JIT runner on hand-written MLIR, then Helion kernels end to end,
then `python -m helion_mlir check`."""

import os
import pathlib
import subprocess
import sys

import pytest
import torch

import helion
import helion.language as hl
import helion_mlir
from helion_mlir import api, check

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The lit tests lower the same inputs (test/lit/run/tile-kernels.mlir).
INPUTS = ROOT / "test" / "lit" / "run" / "Inputs"


def compile_input(name: str, func: str) -> helion_mlir.Kernel:
    return helion_mlir.compile_mlir((INPUTS / name).read_text(), func)


# ---- The runner on hand-written MLIR ----


@pytest.fixture(scope="module")
def add_1d():
    """1000 elements in tiles of 64: the last tile has 40."""
    return compile_input("add_1d.mlir", "add")


def test_add_covers_the_edge_tile(add_1d):
    x, y = torch.randn(1000), torch.randn(1000)
    out = torch.full((1000,), float("nan"))
    add_1d(x, y, out)
    torch.testing.assert_close(out, x + y, rtol=0, atol=0)


def test_a_kernel_runs_again_on_new_buffers(add_1d):
    for _ in range(3):
        x, y, out = torch.randn(1000), torch.randn(1000), torch.empty(1000)
        add_1d(x, y, out)
        torch.testing.assert_close(out, x + y, rtol=0, atol=0)


@pytest.mark.parametrize("threads", [1, 3])
def test_the_tile_grid_runs_on_torchs_thread_count(add_1d, threads, torch_threads):
    """The grid is spread over torch.get_num_threads() threads; 3 on a 2-core machine
    oversubscribes, which must still cover every tile exactly once."""
    torch_threads(threads)
    x, y = torch.randn(1000), torch.randn(1000)
    out = torch.full((1000,), float("nan"))
    add_1d(x, y, out)
    torch.testing.assert_close(out, x + y, rtol=0, atol=0)


def test_kernel_keeps_its_mlir(add_1d):
    assert "func.func @add" in add_1d.mlir


def test_softmax_reduces_over_padded_row_tiles():
    kernel = compile_input("softmax_rows.mlir", "softmax")
    x = torch.randn(100, 70) * 4
    out = torch.empty_like(x)
    kernel(x, out)
    torch.testing.assert_close(out, torch.softmax(x, dim=1), rtol=1e-5, atol=1e-6)


@helion.kernel(static_shapes=True)
def row_sums_at_once(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m] = x[tile_m, :].sum(-1)
    return out


@pytest.mark.parametrize("columns", [3000, 20000])
def test_a_whole_row_reduced_at_once_is_padded_right(columns):
    """Rows read whole into tiles of the next power of two: 3000 in 4096 by one masked vector read,
    20000 in 32768 by a copy into the zero fill (docs/design.md, lib/run/vectorize.mlir)."""
    x = torch.randn(3, columns)
    out = helion_mlir.run(row_sums_at_once, [x], config=helion.Config(block_sizes=[1], reduction_loops=[None]))
    torch.testing.assert_close(out, x.sum(-1), rtol=1e-5, atol=1e-4)


@helion.kernel(static_shapes=True)
def row_extremes(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), 2], dtype=x.dtype)
    for tile_m in hl.tile(x.size(0)):
        row = x[tile_m, :]
        out[tile_m, 0] = torch.amax(row, dim=-1)
        out[tile_m, 1] = torch.amin(row, dim=-1)
    return out


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_long_max_and_min_reductions_propagate_nan(dtype):
    """Rows of 1000 are max- and min-reduced a chunk at a time (lib/run/ChunkedReductions.c) and the
    chunk and the lanes after the last as trees of register pieces (lib/run/TreeReductions.c):
    a NaN anywhere in a row, in a whole piece or in the lanes past the last one, is the row's max and
    min as in torch. Which zero a row of zeros of both signs gives is left open, as torch leaves it
    (helion-fastmath's reassoc lets LLVM choose)."""
    x = torch.randn(8, 1000, dtype=dtype)
    x[1, 17] = float("nan")    # in a whole piece
    x[2, 997] = float("nan")   # in the lanes past the last whole piece
    x[3, 1:] = -1.0
    x[3, 0] = 5.0              # the max first
    x[4, :-1] = 1.0
    x[4, -1] = -5.0            # the min last
    x[5] = -0.0
    x[5, 500] = 0.0
    x[6] = 0.0
    x[6, 999] = -0.0
    out = helion_mlir.run(row_extremes, [x], config=helion.Config(block_sizes=[4]))
    want = torch.stack([x.amax(-1), x.amin(-1)], dim=1)
    torch.testing.assert_close(out, want, rtol=0, atol=0, equal_nan=True)


@helion.kernel(static_shapes=True)
def row_moments(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), 2], dtype=x.dtype)
    for tile_m in hl.tile(x.size(0)):
        row = x[tile_m, :]
        out[tile_m, 0] = row.sum(-1)
        centred = row - row.mean(-1, keepdim=True)
        out[tile_m, 1] = (centred * centred).sum(-1)
    return out


@pytest.mark.parametrize("columns", [70, 128, 200, 1000, 1024])
def test_rows_reduced_a_chunk_at_a_time_match_torch(columns):
    """Rows of two chunks (128 f32 lanes) or more are reduced by a loop over chunks with the row's
    ops computed a chunk at a time (lib/run/ChunkedReductions.c): a sum of the row and of its
    centred squares, with a whole number of chunks (128, 1024) and lanes left past them (200,
    1000), and a row too short for the loop (70). NaN in the first chunk, a later one and the lanes
    past the last is the max and min, as in torch."""
    x = torch.randn(8, columns)
    got = helion_mlir.run(row_moments, [x], config=helion.Config(block_sizes=[4]))
    centred = x - x.mean(-1, keepdim=True)
    torch.testing.assert_close(got, torch.stack([x.sum(-1), (centred * centred).sum(-1)], dim=1),
                               rtol=1e-5, atol=1e-4)
    x[1, 3] = float("nan")
    x[2, columns // 2 + 1] = float("nan")
    x[3, columns - 1] = float("nan")
    x[4, columns - 1] = 50.0
    x[5, 0] = -50.0
    extremes = helion_mlir.run(row_extremes, [x], config=helion.Config(block_sizes=[4]))
    torch.testing.assert_close(extremes, torch.stack([x.amax(-1), x.amin(-1)], dim=1), rtol=0, atol=0,
                               equal_nan=True)


@pytest.mark.parametrize("chunk", [64, 256])
def test_looped_reductions_into_their_accumulators_match_torch(chunk):
    """With reduction_loops each chunk is reduced into the carried accumulator itself
    (lib/run/CarriedReductions.c): sums, centred squares, and max and min with NaN in a chunk and in
    the last, shorter one, as torch computes them."""
    x = torch.randn(8, 1000)
    config = helion.Config(block_sizes=[4], reduction_loops=[chunk])
    got = helion_mlir.run(row_moments, [x], config=config)
    centred = x - x.mean(-1, keepdim=True)
    torch.testing.assert_close(got, torch.stack([x.sum(-1), (centred * centred).sum(-1)], dim=1),
                               rtol=1e-5, atol=1e-4)
    x[1, 70] = float("nan")
    x[2, 990] = float("nan")
    x[3, 999] = 40.0
    x[4, 0] = -40.0
    extremes = helion_mlir.run(row_extremes, [x], config=config)
    torch.testing.assert_close(extremes, torch.stack([x.amax(-1), x.amin(-1)], dim=1), rtol=0, atol=0,
                               equal_nan=True)


@helion.kernel(static_shapes=True)
def softmax_and_doubled_sums(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    out = torch.empty_like(x)
    sums = torch.empty([x.size(0)], dtype=x.dtype)
    for tile_m in hl.tile(x.size(0)):
        row = x[tile_m, :]
        e = torch.exp(row - torch.amax(row, dim=-1, keepdim=True))
        out[tile_m, :] = e / torch.sum(e, dim=-1, keepdim=True)
        sums[tile_m] = (e * 2.0).sum(-1)
    return out, sums


@helion.kernel(static_shapes=True)
def softmax_read_back(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        row = x[tile_m, :]
        e = torch.exp(row - torch.amax(row, dim=-1, keepdim=True))
        out[tile_m, :] = e / torch.sum(e, dim=-1, keepdim=True)
        out[tile_m, :] = out[tile_m, :] + row
    return out


def test_division_written_over_its_exp_matches_torch():
    """The division of a softmax writes over the exp it reads last, which is computed in the
    output's view (lib/run/InPlaceElementwise.c); where the exp is read again after the division, or
    the output is read back, the values stay torch's all the same."""
    x = torch.randn(16, 1000)
    want = torch.softmax(x, dim=-1)
    out, sums = helion_mlir.run(softmax_and_doubled_sums, [x], config=helion.Config(block_sizes=[4]))
    e = torch.exp(x - x.amax(-1, keepdim=True))
    torch.testing.assert_close(out, want, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(sums, (e * 2).sum(-1), rtol=1e-5, atol=1e-4)
    back = helion_mlir.run(softmax_read_back, [x], config=helion.Config(block_sizes=[4]))
    torch.testing.assert_close(back, want + x, rtol=1e-5, atol=1e-5)


@helion.kernel(static_shapes=True)
def row_mean_and_rstd(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    mean = torch.empty([m], dtype=torch.float32)
    rstd = torch.empty([m], dtype=torch.float32)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        mean_val = torch.sum(row, dim=-1) / n
        centred = row - mean_val[:, None]
        mean[tile_m] = mean_val
        rstd[tile_m] = torch.rsqrt(torch.sum(centred * centred, dim=-1) / n + 1e-4)
    return mean, rstd


@pytest.mark.parametrize("config", [dict(block_sizes=[8]), dict(block_sizes=[1], reduction_loops=[256])],
                         ids=["whole-rows", "looped"])
def test_two_reductions_from_one_zero_tile_store_their_own_results(config):
    """Both sums start from the same zero-filled tile once cse has merged their fills; each result
    is stored into its own output (lib/run/ExclusiveStores.c: neither is computed in its output's
    view), where rstd used to arrive as a copy of the mean."""
    x = torch.randn(64, 1000, dtype=torch.float16)
    mean, rstd = helion_mlir.run(row_mean_and_rstd, [x], config=helion.Config(**config))
    xf = x.double()
    torch.testing.assert_close(mean.double(), xf.mean(-1), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(rstd.double(), torch.rsqrt(xf.var(-1, unbiased=False) + 1e-4), rtol=1e-4, atol=1e-5)


@helion.kernel(static_shapes=True)
def scale_rows_by_rms(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        mean_square = torch.sum(row * row, dim=-1, keepdim=True) / n
        out[tile_m, :] = row * torch.rsqrt(mean_square + 1e-5) * w[None, :]
    return out


@pytest.mark.parametrize("config", [dict(block_sizes=[4]), dict(block_sizes=[2], reduction_loops=[256])],
                         ids=["whole-rows", "looped"])
@pytest.mark.parametrize("n", [1000, 1024])
def test_row_statistic_read_before_the_row_loop_matches_torch(config, n):
    """The row's mean square is read once per row, not once per piece of the row, and its rsqrt
    computed there (lib/run/InvariantTileReads.c); every row still gets its own."""
    x = torch.randn(64, n)
    w = torch.randn(n)
    out = helion_mlir.run(scale_rows_by_rms, [x, w], config=helion.Config(**config))
    xf = x.double()
    expected = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-5) * w.double()
    torch.testing.assert_close(out.double(), expected, rtol=1e-5, atol=1e-5)


@helion.kernel(static_shapes=True)
def fused_row_reductions(x: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    peak = torch.empty(m)
    total = torch.empty(m)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        peak[tile_m] = torch.amax(torch.abs(row * w[None, :]), dim=-1)
        total[tile_m] = torch.sum(torch.exp(row - 1.0), dim=-1)
    return peak, total


@pytest.mark.parametrize("config", [dict(block_sizes=[4]), dict(block_sizes=[2], reduction_loops=[256])],
                         ids=["whole-rows", "looped"])
@pytest.mark.parametrize("n", [1000, 1024])
def test_reductions_computing_their_own_operands_match_torch(config, n):
    """Each reduction's element-wise operand is computed inside it (lib/run/generalize.mlir, then
    the element-wise fusion), a chunk at a time, the masked lanes of the last chunk included."""
    x = torch.randn(64, n)
    w = torch.randn(n)
    peak, total = helion_mlir.run(fused_row_reductions, [x, w], config=helion.Config(**config))
    xf = x.double()
    torch.testing.assert_close(peak, (x * w).abs().amax(-1), rtol=0, atol=0)
    torch.testing.assert_close(total.double(), torch.exp(xf - 1.0).sum(-1), rtol=1e-5, atol=1e-5)


def test_f16_matmul_accumulates_in_f32():
    kernel = compile_input("matmul_f16.mlir", "matmul")
    x, y = torch.randn(100, 70).half(), torch.randn(70, 50).half()
    out = torch.empty(100, 50, dtype=torch.float16)
    kernel(x, y, out)
    torch.testing.assert_close(out, (x.float() @ y.float()).half(), rtol=1e-3, atol=1e-3)


DOUBLE_DYNAMIC = """
func.func @double(%x: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  scf.for %i = %c0 to %m step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf32>
      %d = arith.addf %v, %v : f32
      memref.store %d, %out[%i, %j] : memref<?x?xf32>
    }
  }
  return
}
"""


@pytest.mark.parametrize("shape", [(3, 5), (1, 7), (0, 4)])
def test_dynamic_sizes_come_from_the_tensors(shape):
    kernel = helion_mlir.compile_mlir(DOUBLE_DYNAMIC, "double")
    x = torch.randn(*shape)
    out = torch.empty_like(x)
    kernel(x, out)
    torch.testing.assert_close(out, 2 * x, rtol=0, atol=0)


def test_size_one_dimensions_may_have_any_stride():
    kernel = helion_mlir.compile_mlir(DOUBLE_DYNAMIC, "double")
    x = torch.randn(7, 1).t()  # shape (1, 7), strides (1, 1): contiguous to torch
    out = torch.empty(1, 7)
    kernel(x, out)
    torch.testing.assert_close(out, 2 * x, rtol=0, atol=0)


BAD_CALLS = {
    "too few tensors": (lambda x, y, o: (x, y), ValueError, "got 2 tensors, the kernel takes 3"),
    "wrong dtype": (lambda x, y, o: (x, y.half(), o), ValueError,
                    r"argument 1 \(memref<1000xf32>\): got a float16 tensor, the kernel takes float32"),
    "wrong rank": (lambda x, y, o: (x, y.view(10, 100), o), ValueError, "rank 2, the kernel takes rank 1"),
    "wrong size": (lambda x, y, o: (x, torch.randn(999), o), ValueError,
                   "dimension 0 has size 999, the kernel was compiled for 1000"),
    # memref<1000xf32> has the identity layout: a stride-2 view is not what it was compiled for.
    "wrong stride": (lambda x, y, o: (x, torch.randn(2000)[::2], o), ValueError,
                     r"argument 1 \(memref<1000xf32>\): dimension 0 has stride 2, the kernel was compiled for 1$"),
    # A meta tensor stands in for a CUDA one: its data pointer is not CPU memory either.
    "not on the cpu": (lambda x, y, o: (x, torch.empty(1000, device="meta"), o), ValueError,
                       "runs on the CPU"),
    "not a tensor": (lambda x, y, o: (x, "3", o), TypeError, "expected a torch.Tensor or a bool"),
    "a scalar for a tensor": (lambda x, y, o: (x, 3.0, o), ValueError, "got a float64 tensor"),
    "unsupported dtype": (lambda x, y, o: (x, y.to(torch.complex64), o), TypeError, "complex64"),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_calls_raise_and_write_nothing(add_1d, case):
    make_args, error, message = BAD_CALLS[case]
    x, y, out = torch.randn(1000), torch.randn(1000), torch.zeros(1000)
    with pytest.raises(error, match=message):
        add_1d(*make_args(x, y, out))
    assert not out.any()


TENSOR_HELPER = """
func.func @f(%x: memref<4xf32>) { return }
func.func @helper(%t: tensor<4xf32>) -> tensor<4xf32> { return %t : tensor<4xf32> }
"""

COMPILE_ERRORS = {
    "no such function": ((INPUTS / "add_1d.mlir").read_text(), "nope", "no func.func @nope"),
    "tensor argument": ("func.func @f(%x: tensor<4xf32>) { return }", "f",
                        r"argument 0 has type tensor<4xf32>; the runner takes memrefs"),
    "parse error": ("func.func @f(%x: memref<4xf32>) { %c = arith.constant : i32 return }", "f",
                    r"^-:1:"),
    "left unlowered": (TENSOR_HELPER, "f", "'func.func' is left after the LLVM lowering"),
    "symbolic tile": ('func.func @f(%x: memref<4xf32>) {\n'
                      '  %n = "loom.get_symbol"() {name = "u0"} : () -> index\n  return\n}', "f",
                      r"^-:2:8: .loom.get_symbol. has no value on the CPU; lower the kernel with concrete tile sizes"),
}


@pytest.mark.parametrize("case", sorted(COMPILE_ERRORS))
def test_compile_errors_are_one_line_messages(case):
    text, func, message = COMPILE_ERRORS[case]
    with pytest.raises(helion_mlir.HelionMlirError, match=message):
        helion_mlir.compile_mlir(text, func)


def test_opt_level_is_checked():
    with pytest.raises(helion_mlir.HelionMlirError, match="optimization level 7 is not in 0..3"):
        helion_mlir.compile_mlir(DOUBLE_DYNAMIC, "double", opt_level=7)


def test_verify_mlir():
    helion_mlir.verify_mlir((INPUTS / "add_1d.mlir").read_text())
    with pytest.raises(helion_mlir.HelionMlirError, match="use of undeclared SSA value"):
        helion_mlir.verify_mlir("func.func @f() { return %x : f32 }")


def test_a_missing_library_is_an_error(tmp_path):
    env = dict(os.environ, HELION_MLIR_LIB=str(tmp_path / "missing.so"),
               PYTHONPATH=str(ROOT / "python"))
    code = ("import helion_mlir\n"
            "try:\n  helion_mlir.verify_mlir('')\nexcept helion_mlir.HelionMlirError as e:\n  print(e)")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "missing.so does not exist" in proc.stdout


# ---- Helion kernels end to end ----


def example(load_kernel, name: str):
    """(kernel, its module's `reference`) for examples/<name>.py."""
    kernel = load_kernel(f"examples/{name}.py:{name}")
    return kernel, kernel.fn.__globals__["reference"]


F32, F16, BF16 = torch.float32, torch.float16, torch.bfloat16

# Shapes that are no multiple of the tile sizes, so every kernel has edge tiles.
EXAMPLES = [
    ("add", [(100, 70), (100, 70)], F32, None, 0),
    ("add", [(37, 129), (37, 129)], F16, None, 0),
    ("add", [(37, 129), (37, 129)], BF16, None, 0),
    # 32 x 8 whole tiles: each grid row runs row by row (lib/run/GridRows.c).
    ("add", [(256, 512), (256, 512)], F32, {"block_sizes": [8, 64]}, 0),
    ("softmax", [(33, 200)], F32, None, 1e-6),
    ("softmax", [(33, 70)], F16, None, 1e-3),
    ("matmul", [(65, 47), (47, 33)], F32, None, 2e-5),
    ("matmul", [(65, 47), (47, 33)], F16, None, 1e-2),
    ("matmul", [(65, 47), (47, 33)], F32, {"block_sizes": [16, 16, 8]}, 2e-5),
]


@pytest.mark.parametrize("name,shapes,dtype,config,tol", EXAMPLES,
                         ids=[f"{e[0]}-{e[2]}-{'x'.join(map(str, e[1][0]))}{'-config' if e[3] else ''}"
                              for e in EXAMPLES])
def test_examples_match_torch(load_kernel, name, shapes, dtype, config, tol):
    kernel, reference = example(load_kernel, name)
    torch.manual_seed(0)
    args = [torch.randn(*shape, dtype=dtype) for shape in shapes]
    out = helion_mlir.run(kernel, args, config)
    torch.testing.assert_close(out, reference(*args), rtol=tol, atol=tol)


def test_transposed_and_sliced_arguments_are_read_in_place(load_kernel):
    kernel, reference = example(load_kernel, "add")
    x = torch.randn(70, 100).t()
    y = torch.randn(120, 90)[10:110, 5:75]  # an offset and a row stride of 90
    torch.testing.assert_close(helion_mlir.run(kernel, [x, y]), reference(x, y), rtol=0, atol=0)


def test_tuple_outputs_come_back_in_order(load_kernel):
    kernel = load_kernel("test/python/kernels/multi_output.py:add_sub")
    x, y = torch.randn(50, 30), torch.randn(50, 30)
    total, diff = helion_mlir.run(kernel, [x, y])
    torch.testing.assert_close(total, x + y, rtol=0, atol=0)
    torch.testing.assert_close(diff, x - y, rtol=0, atol=0)


@helion.kernel(static_shapes=True)
def double_in_place(x: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size()):
        x[tile] = x[tile] * 2.0
    return x


def test_an_argument_returned_is_written_in_place():
    x = torch.randn(50, 30)
    before = x.clone()
    out = helion_mlir.run(double_in_place, [x])
    assert out is x
    torch.testing.assert_close(x, 2 * before, rtol=0, atol=0)


@helion.kernel(static_shapes=True)
def matmul_f64(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, _ = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float64, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float64)
        for tile_k in hl.tile(x.size(1)):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


@pytest.mark.parametrize("config", [None, {"block_sizes": [32, 32, 16]}, {"block_sizes": [16, 8, 8]}],
                         ids=["default", "32x32x16", "16x8x8"])
def test_f64_matmul_register_blocks_match_torch(config):
    """f64 register blocks are half as wide as f32 ones (lib/run/matmul.mlir), for the host's
    vectors; tiles narrower than a block (8 columns) are not tiled along N, and every tile is padded."""
    torch.manual_seed(0)
    x, y = torch.randn(65, 47, dtype=torch.float64), torch.randn(47, 33, dtype=torch.float64)
    torch.testing.assert_close(helion_mlir.run(matmul_f64, [x, y], config), x @ y, rtol=1e-12, atol=1e-12)


def test_compiled_once_per_shape_and_dtype(load_kernel, monkeypatch):
    kernel, _ = example(load_kernel, "add")
    exports = []
    export = api.export_kernel
    monkeypatch.setattr(api, "export_kernel", lambda *a: exports.append(a) or export(*a))
    a, b = torch.randn(21, 5), torch.randn(21, 5)
    helion_mlir.run(kernel, [a, b])
    helion_mlir.run(kernel, [torch.randn(21, 5), torch.randn(21, 5)])
    assert len(exports) == 1
    helion_mlir.run(kernel, [torch.randn(22, 5), torch.randn(22, 5)])
    helion_mlir.run(kernel, [a.double(), b.double()])
    assert len(exports) == 3


BAD_RUNS = {
    "wrong count": (lambda x: [x], TypeError, "add\\(\\): missing a required argument: 'y'"),
    "not on the cpu": (lambda x: [x, torch.empty(x.shape, device="meta")], ValueError, "runs on the CPU"),
    "not a tensor": (lambda x: [x, [1.0]], TypeError, "argument 1: expected a tensor or a Python scalar"),
}


@pytest.mark.parametrize("case", sorted(BAD_RUNS))
def test_bad_runs_raise(load_kernel, case):
    kernel, _ = example(load_kernel, "add")
    make_args, error, message = BAD_RUNS[case]
    with pytest.raises(error, match=message):
        helion_mlir.run(kernel, make_args(torch.randn(8, 8)))


def test_run_needs_a_helion_kernel():
    with pytest.raises(TypeError, match="expected a @helion.kernel"):
        helion_mlir.run(torch.add, [torch.randn(3), torch.randn(3)])


def test_generate_mlir(load_kernel):
    kernel, _ = example(load_kernel, "add")
    args = [torch.randn(100, 70), torch.randn(100, 70)]
    text = helion_mlir.generate_mlir(kernel, args)
    assert "func.func @add(%arg0: memref<100x70xf32>" in text
    assert "llvm.emit_c_interface" in text
    assert "loom.get_symbol" in helion_mlir.generate_mlir(kernel, args, tiles="symbolic")
    with pytest.raises(ValueError, match="tiles='bogus'"):
        helion_mlir.generate_mlir(kernel, args, tiles="bogus")


# ---- python -m helion_mlir check ----


def run_check(capsys, *argv: str) -> tuple[int, str]:
    status = check.main(["check", *argv])
    return status, capsys.readouterr().out.strip()


def test_check_against_the_interpreter(capsys):
    status, line = run_check(capsys, "--entry", "examples/add.py:add",
                             "--arg", "torch.randn(37, 21)", "--arg", "torch.randn(37, 21)")
    assert (status, line) == (0, "add: lowered, verified, ran, max abs error 0, match")


def test_check_a_matmul_against_the_patched_interpreter(capsys):
    status, line = run_check(capsys, "--entry", "examples/matmul.py:matmul",
                             "--arg", "torch.randn(40, 24, dtype=torch.float16)",
                             "--arg", "torch.randn(24, 36, dtype=torch.float16)")
    assert status == 0, line
    assert line.endswith(", match")


def test_check_against_a_torch_reference(capsys):
    status, line = run_check(capsys, "--entry", "examples/matmul.py:matmul",
                             "--arg", "torch.randn(65, 47)", "--arg", "torch.randn(47, 33)",
                             "--ref", "examples/matmul.py:reference", "--rtol", "1e-5", "--atol", "1e-5")
    assert status == 0, line
    assert line.startswith("matmul: lowered, verified, ran, max abs error ")


def test_check_reports_a_mismatch(capsys):
    status, line = run_check(capsys, "--entry", "examples/add.py:add",
                             "--arg", "torch.ones(4, 4)", "--arg", "torch.ones(4, 4)", "--ref", "torch:sub")
    assert status == 1
    assert line == ("add: lowered, verified, ran, max abs error 2, "
                    "MISMATCH: output 0 differs beyond rtol 1.3e-06, atol 1e-05")


def test_check_reports_a_failing_stage(capsys):
    status, line = run_check(capsys, "--entry", "examples/add.py:add",
                             "--arg", "torch.ones(4, 4)", "--arg", "torch.ones(4, 4)",
                             "--ref", "examples/softmax.py:reference")
    assert status == 1
    assert line.startswith("add: lowered, verified, ran, reference FAILED: "
                           "examples/softmax.py:reference raised TypeError")


def test_check_reports_a_capture_error(capsys):
    status, line = run_check(capsys, "--entry", "examples/add.py:nope")
    assert status == 1
    assert line.startswith("capture failed: --entry 'examples/add.py:nope'")


@helion.kernel(static_shapes=True)
def matmul_edges(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), y.size(1)], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([x.size(0), y.size(1)]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(x.size(1)):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


matmul_edges_dynamic = helion.kernel(matmul_edges.fn, static_shapes=False)


@helion.kernel(static_shapes=True)
def bmm_edges(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    b, m, k = x.size()
    out = torch.empty([b, m, y.size(2)], dtype=x.dtype, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([b, m, y.size(2)]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.baddbmm(acc, x[tile_b, tile_m, tile_k], y[tile_b, tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc.to(out.dtype)
    return out


# (m, k, n): edge tiles in all three; whole output tiles with a partial K step; a K the tile divides
# with edge tiles; a K shorter than its tile (no whole step at all).
WHOLE_TILE_SHAPES = [(100, 70, 50), (64, 40, 64), (100, 64, 50), (70, 10, 33)]
TOLERANCES = {torch.float32: 1e-4, torch.float16: 1e-2, torch.bfloat16: 3e-2}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16], ids=str)
@pytest.mark.parametrize("shape", WHOLE_TILE_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_whole_tiles_unpadded_steps_match_torch(shape, dtype):
    """The whole K steps of whole tiles run unpadded and the rest as before (lib/run/FullTiles.c):
    every output element is summed over all of K exactly once, edge tiles and partial steps too."""
    torch.manual_seed(0)
    m, k, n = shape
    x, y = torch.randn(m, k).to(dtype), torch.randn(k, n).to(dtype)
    out = helion_mlir.run(matmul_edges, [x, y], {"block_sizes": [32, 32, 16]})
    tol = TOLERANCES[dtype]
    torch.testing.assert_close(out, (x.float() @ y.float()).to(dtype), rtol=tol, atol=tol)


def test_whole_tiles_of_dynamic_sizes_match_torch():
    """With dynamic sizes the whole steps end at K - K % 16, computed at run time."""
    torch.manual_seed(0)
    for m, k, n in [(100, 70, 50), (96, 64, 80), (33, 17, 65)]:
        x, y = torch.randn(m, k), torch.randn(k, n)
        out = helion_mlir.run(matmul_edges_dynamic, [x, y], {"block_sizes": [32, 32, 16]})
        torch.testing.assert_close(out, x @ y, rtol=1e-4, atol=1e-4)


def test_whole_tiles_of_a_batched_matmul_match_torch():
    torch.manual_seed(0)
    x, y = torch.randn(3, 50, 37), torch.randn(3, 37, 45)
    out = helion_mlir.run(bmm_edges, [x, y], {"block_sizes": [1, 32, 32, 16]})
    torch.testing.assert_close(out, torch.bmm(x, y), rtol=1e-4, atol=1e-4)


@helion.kernel(static_shapes=True)
def layer_norm_rows(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        row = x[tile_m, :]
        centred = row - row.mean(-1, keepdim=True)
        rstd = torch.rsqrt((centred * centred).mean(-1, keepdim=True) + 1e-5)
        out[tile_m, :] = centred * rstd * w[None, :] + b[None, :]
    return out


def _check_looped_layer_norm(rows: int, block: int) -> None:
    """layer_norm_rows over `rows` rows of scales 1e-3 to 1e3, which make anything left from another
    row show, in tiles of `block` rows with reduction loops of 256, against torch."""
    torch.manual_seed(0)
    x = torch.randn(rows, 1000) * torch.logspace(-3, 3, rows)[:, None]
    w, b = torch.randn(1000), torch.randn(1000)
    got = helion_mlir.run(layer_norm_rows, [x, w, b], helion.Config(block_sizes=[block], reduction_loops=[256]))
    torch.testing.assert_close(got, torch.nn.functional.layer_norm(x, [1000], w, b, eps=1e-5),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("block", [1, 4])
def test_buffers_a_thread_reuses_start_each_tile_afresh(block, threads, torch_threads):
    """A tile's temporaries are one stack buffer per thread, reused by every tile the thread runs
    (lib/run/ThreadBuffers.c): a looped layer norm's accumulators and the padded last chunk start
    from their own values at each tile, whatever the thread's tile before left there, on one thread
    or several, with a last tile of fewer rows (37 = 9 * 4 + 1)."""
    torch_threads(threads)
    _check_looped_layer_norm(37, block)


@pytest.mark.parametrize("block", [4, 8])
def test_rows_of_a_looping_tile_run_one_by_one(block, torch_threads):
    """A tile of rows whose body loops over chunks runs row by row (lib/run/SplitRows.c): the looped
    layer norm of whole tiles (64 rows) on two threads."""
    torch_threads(2)
    _check_looped_layer_norm(64, block)


@pytest.mark.parametrize("block", [4, 8])
def test_whole_rows_of_a_tile_run_one_by_one(block, torch_threads):
    """A 1-D grid's tile of whole rows runs row by row too (lib/run/SplitRows.c): a softmax with its
    doubled sums, and one that reads its output back, over 64 rows of scales 1e-3 to 1e3 that make
    anything taken from another row show, on two threads."""
    torch_threads(2)
    torch.manual_seed(0)
    x = torch.randn(64, 1000) * torch.logspace(-3, 3, 64)[:, None]
    config = helion.Config(block_sizes=[block])
    want = torch.softmax(x, dim=-1)
    out, sums = helion_mlir.run(softmax_and_doubled_sums, [x], config=config)
    e = torch.exp(x - x.amax(-1, keepdim=True))
    torch.testing.assert_close(out, want, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(sums, (e * 2).sum(-1), rtol=1e-5, atol=1e-4)
    back = helion_mlir.run(softmax_read_back, [x], config=config)
    torch.testing.assert_close(back, want + x, rtol=1e-5, atol=1e-5)


@helion.kernel(static_shapes=True)
def scaled_differences(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        a, b = x[tile], y[tile]
        out[tile] = torch.where(a > b, (a - b) * torch.rsqrt(a * a + 1.0), a * 0.5 + b / 3.0)
    return out


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_cheap_arithmetic_at_256_bits_matches_torch(dtype):
    """A kernel of cheap arithmetic, compiled for 256-bit registers on an AVX-512 host
    (lib/run/VectorWidth.c), on a shape whose edge tiles are masked in both dimensions."""
    torch.manual_seed(0)
    x, y = torch.randn(37, 1001, dtype=dtype), torch.randn(37, 1001, dtype=dtype)
    got = helion_mlir.run(scaled_differences, [x, y], helion.Config(block_sizes=[8, 128]))
    xf, yf = x.double(), y.double()
    want = torch.where(xf > yf, (xf - yf) * torch.rsqrt(xf * xf + 1.0), xf * 0.5 + yf / 3.0)
    tol = {torch.float16: 2e-3, torch.float32: 1e-5, torch.float64: 1e-12}[dtype]
    torch.testing.assert_close(got.double(), want, rtol=tol, atol=tol)


@helion.kernel(static_shapes=True)
def add_row_index(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        for tile_n in hl.tile(x.size(1)):
            out[tile_m, tile_n] = x[tile_m, tile_n] + tile_m.index[:, None].to(x.dtype)
    return out


@helion.kernel(static_shapes=True)
def centre_tile_columns(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        for tile_n in hl.tile(x.size(1)):
            chunk = x[tile_m, tile_n]
            out[tile_m, tile_n] = chunk - chunk.sum(0, keepdim=True)
    return out


def test_looping_tiles_that_see_their_rows_keep_them():
    """Bodies that read the tile's row indices, or reduce over its rows, get each row's own index
    and the whole tile's sums, whether or not the tile runs row by row."""
    torch.manual_seed(0)
    x = torch.randn(32, 512)
    config = helion.Config(block_sizes=[4, 128])
    got = helion_mlir.run(add_row_index, [x], config)
    torch.testing.assert_close(got, x + torch.arange(32, dtype=x.dtype)[:, None])
    got = helion_mlir.run(centre_tile_columns, [x], config)
    tiles = x.view(8, 4, 512)
    torch.testing.assert_close(got, (tiles - tiles.sum(1, keepdim=True)).view(32, 512), rtol=1e-5, atol=1e-5)
