"""The matmul family: hl.dot with an accumulator, a plain matmul over the whole K, addmm epilogues with
a 1-D bias, batched matmuls (baddbmm, bmm with an out dtype) and split-K with hl.atomic_add.

Helion's interpreter rewrites addmm/baddbmm into mm/bmm(..., out_dtype=), so every kernel here has a
torch reference (`<kernel>_reference`) computing in f32 and rounding once to the output dtype.
"""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def dot_acc(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


def dot_acc_reference(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (x.float() @ y.float()).to(x.dtype)


@helion.kernel(static_shapes=True)
def dot_shared_weight(a: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """hl.dot of a 3-D tile and a 2-D one: the weight tile is broadcast over the batch tile."""
    batch, m, k = a.size()
    _, n = w.size()
    out = torch.empty([batch, m, n], dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_b, tile_m, tile_k], w[tile_k, tile_n], acc=acc)
        out[tile_b, tile_m, tile_n] = acc
    return out


def dot_shared_weight_reference(a: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return a.float() @ w.float()


@helion.kernel(static_shapes=True)
def dot_out_dtype(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """hl.dot without an accumulator, its product in the inputs' dtype (out_dtype=)."""
    m, _k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = hl.dot(x[tile_m, :], y[:, tile_n], out_dtype=x.dtype)
    return out


dot_out_dtype_reference = dot_acc_reference


@helion.kernel(static_shapes=True)
def matmul_whole_k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """K is one (padded) tile: torch.matmul of a row panel and a column panel, no K loop."""
    m, _k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.matmul(x[tile_m, :], y[:, tile_n])
    return out


matmul_whole_k_reference = dot_acc_reference


@helion.kernel(static_shapes=True)
def linear_relu(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """relu(addmm(bias, x, w)): the 1-D bias is broadcast into the accumulator."""
    m, _k = x.size()
    _, n = w.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.relu(torch.addmm(bias[tile_n], x[tile_m, :], w[:, tile_n]))
    return out


def linear_relu_reference(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return torch.relu(torch.addmm(bias.float(), x.float(), w.float())).to(x.dtype)


@helion.kernel(static_shapes=True)
def matmul_bias_sigmoid(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """A K loop accumulating with addmm in f32, then a bias + sigmoid epilogue on the tile."""
    m, k = x.size()
    _, n = w.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], w[tile_k, tile_n])
        out[tile_m, tile_n] = torch.sigmoid(acc + bias[tile_n]).to(out.dtype)
    return out


def matmul_bias_sigmoid_reference(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(x.float() @ w.float() + bias.float()).to(x.dtype)


@helion.kernel(static_shapes=True)
def baddbmm_loop(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    batch, m, k = a.size()
    _, _, n = b.size()
    out = torch.empty([batch, m, n], dtype=a.dtype, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.baddbmm(acc, a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc.to(out.dtype)
    return out


def baddbmm_loop_reference(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.bmm(a.float(), b.float()).to(a.dtype)


@helion.kernel(static_shapes=True)
def bmm_f32_out(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """torch.bmm(a, b, torch.float32) (aten.bmm.dtype): 16-bit inputs, f32 products summed over K."""
    batch, m, k = a.size()
    _, _, n = b.size()
    out = torch.empty([batch, m, n], dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + torch.bmm(a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n], torch.float32)
        out[tile_b, tile_m, tile_n] = acc
    return out


def bmm_f32_out_reference(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.bmm(a.float(), b.float())


@helion.kernel(static_shapes=True)
def split_k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Split-K: the grid also splits K; each split accumulates its part of a tile and adds it into
    the zero-filled `out` with hl.atomic_add."""
    m, k = x.size()
    _, n = y.size()
    out = torch.zeros([m, n], dtype=torch.float32, device=x.device)
    split = hl.register_block_size(k)
    for tile_m, tile_n, outer_k in hl.tile([m, n, k], block_size=[None, None, split]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for inner_k in hl.tile(outer_k.begin, outer_k.end):
            acc = torch.addmm(acc, x[tile_m, inner_k], y[inner_k, tile_n])
        hl.atomic_add(out, [tile_m, tile_n], acc)
    return out


def split_k_reference(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return x.float() @ y.float()


@helion.kernel(static_shapes=True)
def matmul_3d_2d(a: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """torch.matmul of a 3-D tile and a 2-D one: Helion unsqueezes and expands the weight for a bmm."""
    batch, m, _k = a.size()
    _, n = w.size()
    out = torch.empty([batch, m, n], dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        out[tile_b, tile_m, tile_n] = torch.matmul(a[tile_b, tile_m, :], w[:, tile_n]).float()
    return out


matmul_3d_2d_reference = dot_shared_weight_reference


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py). No size is a multiple of its tile, so every kernel has edge tiles.
@helion.kernel(static_shapes=True)
def dequant_dot(x: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A bf16 x int16 matmul, w dequantized to bf16 per tile (Helion's bf16xint16_gemm): the products
    and their sum in f32, one rounding to bf16 at the store; the f32 accumulator too, unrounded."""
    m, k = x.size()
    _, n = w.size()
    out = torch.empty([m, n], dtype=torch.bfloat16, device=x.device)
    wide = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(x[tile_m, tile_k], w[tile_k, tile_n].to(torch.bfloat16), acc=acc)
        wide[tile_m, tile_n] = acc
        out[tile_m, tile_n] = acc.to(torch.bfloat16)
    return out, wide


def dequant_dot_reference(x: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """In float64 from w rounded to bf16 (|w| up to 2000 is not exact in bf16): an f32 or bf16
    accumulation, or a dot of the int16 values themselves, is off by far more than the f32 tolerance."""
    exact = x.double() @ w.to(torch.bfloat16).double()
    return exact.to(torch.bfloat16), exact.float()


CHECKS = [
    {"kernel": "dequant_dot", "args": ["torch.randn(45, 70, dtype=torch.bfloat16)",
                                       "torch.randint(-2000, 2000, (70, 37), dtype=torch.int16)"],
     "config": {"block_sizes": [16, 16, 16]}, "ref": "dequant_dot_reference", "rtol": 1e-5, "atol": 1e-2},
    {"kernel": "dot_acc", "args": ["torch.randn(100, 70)", "torch.randn(70, 50)"], "ref": "dot_acc_reference",
     "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "dot_acc", "args": ["torch.randn(65, 47, dtype=torch.float16)", "torch.randn(47, 33, dtype=torch.float16)"],
     "ref": "dot_acc_reference", "config": {"block_sizes": [32, 16, 32]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "dot_acc", "args": ["torch.randn(65, 47, dtype=torch.bfloat16)", "torch.randn(47, 33, dtype=torch.bfloat16)"],
     "ref": "dot_acc_reference", "rtol": 2e-2, "atol": 2e-2},
    {"kernel": "dot_shared_weight", "args": ["torch.randn(3, 37, 45, dtype=torch.float16)", "torch.randn(45, 20, dtype=torch.float16)"],
     "ref": "dot_shared_weight_reference", "rtol": 1e-3, "atol": 1e-3},
    {"kernel": "dot_shared_weight", "args": ["torch.randn(3, 37, 45)", "torch.randn(45, 20)"],
     "ref": "dot_shared_weight_reference", "config": {"block_sizes": [1, 32, 16, 32]}, "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "dot_out_dtype", "args": ["torch.randn(37, 45, dtype=torch.float16)", "torch.randn(45, 20, dtype=torch.float16)"],
     "ref": "dot_out_dtype_reference", "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "dot_out_dtype", "args": ["torch.randn(37, 45, dtype=torch.bfloat16)", "torch.randn(45, 20, dtype=torch.bfloat16)"],
     "ref": "dot_out_dtype_reference", "config": {"block_sizes": [16, 16]}, "rtol": 2e-2, "atol": 2e-2},
    {"kernel": "matmul_whole_k", "args": ["torch.randn(100, 70)", "torch.randn(70, 50)"],
     "ref": "matmul_whole_k_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "matmul_whole_k", "args": ["torch.randn(45, 70, dtype=torch.float16)", "torch.randn(70, 37, dtype=torch.float16)"],
     "ref": "matmul_whole_k_reference", "config": {"block_sizes": [16, 32]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "linear_relu", "args": ["torch.randn(100, 70)", "torch.randn(70, 50)", "torch.randn(50)"],
     "ref": "linear_relu_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "linear_relu", "args": ["torch.randn(45, 30, dtype=torch.bfloat16)", "torch.randn(30, 37, dtype=torch.bfloat16)",
                                        "torch.randn(37, dtype=torch.bfloat16)"],
     "ref": "linear_relu_reference", "config": {"block_sizes": [16, 16]}, "rtol": 2e-2, "atol": 2e-2},
    {"kernel": "matmul_bias_sigmoid", "args": ["torch.randn(100, 70)", "torch.randn(70, 50)", "torch.randn(50)"],
     "ref": "matmul_bias_sigmoid_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "matmul_bias_sigmoid", "args": ["torch.randn(65, 47, dtype=torch.float16)", "torch.randn(47, 33, dtype=torch.float16)",
                                               "torch.randn(33, dtype=torch.float16)"],
     "ref": "matmul_bias_sigmoid_reference", "config": {"block_sizes": [32, 16, 16]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "baddbmm_loop", "args": ["torch.randn(3, 40, 30)", "torch.randn(3, 30, 20)"],
     "ref": "baddbmm_loop_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "baddbmm_loop", "args": ["torch.randn(3, 40, 30, dtype=torch.float16)", "torch.randn(3, 30, 20, dtype=torch.float16)"],
     "ref": "baddbmm_loop_reference", "config": {"block_sizes": [2, 32, 16, 16]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "bmm_f32_out", "args": ["torch.randn(3, 40, 30, dtype=torch.float16)", "torch.randn(3, 30, 20, dtype=torch.float16)"],
     "ref": "bmm_f32_out_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "bmm_f32_out", "args": ["torch.randn(3, 40, 30, dtype=torch.bfloat16)", "torch.randn(3, 30, 20, dtype=torch.bfloat16)"],
     "ref": "bmm_f32_out_reference", "config": {"block_sizes": [1, 16, 32, 16]}, "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "split_k", "args": ["torch.randn(100, 70)", "torch.randn(70, 50)"],
     "ref": "split_k_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "split_k", "args": ["torch.randn(65, 70, dtype=torch.float16)", "torch.randn(70, 33, dtype=torch.float16)"],
     "ref": "split_k_reference", "config": {"block_sizes": [32, 16, 16, 16]}, "rtol": 1e-3, "atol": 1e-3},
    {"kernel": "matmul_3d_2d", "args": ["torch.randn(3, 37, 45)", "torch.randn(45, 20)"],
     "ref": "matmul_3d_2d_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "matmul_3d_2d", "args": ["torch.randn(3, 37, 45, dtype=torch.float16)", "torch.randn(45, 20, dtype=torch.float16)"],
     "ref": "matmul_3d_2d_reference", "config": {"block_sizes": [2, 16, 32]}, "rtol": 1e-2, "atol": 1e-2},
]
