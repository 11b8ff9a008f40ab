"""Elementwise kernels: broadcasting, activation chains, torch.where, casts and scalar arguments."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def bias_add(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n] + bias[tile_n]
    return out


def bias_add_reference(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return x + bias


@helion.kernel(static_shapes=True)
def activations(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        v = x[tile]
        gelus = torch.nn.functional.gelu(v) - torch.nn.functional.gelu(v, approximate="tanh")
        rest = torch.nn.functional.silu(v) * torch.sigmoid(v) + torch.relu(v) - torch.tanh(v)
        out[tile] = gelus + rest + torch.exp(-v * v)
    return out


def activations_reference(x: torch.Tensor) -> torch.Tensor:
    f = torch.nn.functional
    y = x.float()
    out = f.gelu(y) - f.gelu(y, approximate="tanh") + f.silu(y) * torch.sigmoid(y) + torch.relu(y) - torch.tanh(y)
    return (out + torch.exp(-y * y)).to(x.dtype)


@helion.kernel(static_shapes=True)
def leaky_clamp(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        a = x[tile]
        b = y[tile]
        out[tile] = torch.where(a > b, a, torch.where(a < -1.0, b * 0.01, a * b))
    return out


def leaky_clamp_reference(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.where(x > y, x, torch.where(x < -1.0, y * 0.01, x * y))


@helion.kernel(static_shapes=True)
def to_bf16_scaled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.bfloat16, device=x.device)
    for tile in hl.tile(x.size()):
        out[tile] = (x[tile].to(torch.float32) * 3.0).to(torch.bfloat16)
    return out


def to_bf16_scaled_reference(x: torch.Tensor) -> torch.Tensor:
    return (x.float() * 3.0).to(torch.bfloat16)


@helion.kernel(static_shapes=True)
def math_ops(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        v = x[tile]
        powers = v.pow(2) + 2.0 ** v + torch.sqrt(torch.abs(v))
        rounding = torch.floor(v * 3) + torch.ceil(v) + torch.round(v * 2) + torch.trunc(v * 5)
        smooth = torch.log1p(torch.abs(v)) + torch.expm1(v) + torch.nn.functional.softplus(v)
        out[tile] = powers + rounding + smooth + torch.clamp(v, -0.5, 0.5) + torch.sign(v) + (1.0 - v)
    return out


def math_ops_reference(x: torch.Tensor) -> torch.Tensor:
    v = x.float()
    powers = v.pow(2) + 2.0**v + torch.sqrt(torch.abs(v))
    rounding = torch.floor(v * 3) + torch.ceil(v) + torch.round(v * 2) + torch.trunc(v * 5)
    smooth = torch.log1p(torch.abs(v)) + torch.expm1(v) + torch.nn.functional.softplus(v)
    return (powers + rounding + smooth + torch.clamp(v, -0.5, 0.5) + torch.sign(v) + (1.0 - v)).to(x.dtype)


@helion.kernel(static_shapes=True)
def axpby(x: torch.Tensor, y: torch.Tensor, alpha: float, beta: float, shift: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = alpha * x[tile] + beta * y[tile] + shift
    return out


def axpby_reference(x: torch.Tensor, y: torch.Tensor, alpha: float, beta: float, shift: int) -> torch.Tensor:
    return (alpha * x.float() + beta * y.float() + shift).to(x.dtype)


@helion.kernel(static_shapes=True)
def scale_shift_3d(x: torch.Tensor, scale: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """`scale` has size 1 in dimension 0 and `shift` in dimension 1: indexed by the same tiles as x,
    each broadcasts that dimension over the tile."""
    d0, d1, d2 = x.size()
    out = torch.empty_like(x)
    for t0, t1, t2 in hl.tile([d0, d1, d2]):
        out[t0, t1, t2] = x[t0, t1, t2] * scale[t0, t1, t2] + shift[t0, t1, t2]
    return out


def scale_shift_3d_reference(x: torch.Tensor, scale: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    return x * scale + shift


@helion.kernel(static_shapes=True)
def row_scale_col_shift(x: torch.Tensor, row_scale: torch.Tensor, col_shift: torch.Tensor) -> torch.Tensor:
    """row_scale[tile_m] has tile_m's dimension only: Helion lines it up with tile_m's dimension of the
    [tile_m, tile_n] expression (row_scale[:, None]), in the product and in expand_as, where torch's rule
    would line it up on the right."""
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        v = x[tile_m, tile_n]
        out[tile_m, tile_n] = v * row_scale[tile_m] + col_shift[tile_n] - row_scale[tile_m].expand_as(v)
    return out


def row_scale_col_shift_reference(x: torch.Tensor, row_scale: torch.Tensor, col_shift: torch.Tensor) -> torch.Tensor:
    return x * row_scale[:, None] + col_shift - row_scale[:, None]


@helion.kernel(static_shapes=True)
def modular(x: torch.Tensor, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Python's % and // (toward negative infinity), torch.fmod and trunc division, on floats and on
    the integer tensor k, with divisors of both signs; bitwise and logical ops on k."""
    out = torch.empty_like(x)
    ints = torch.empty_like(k)
    for tile in hl.tile(x.size()):
        a = x[tile]
        b = k[tile]
        f = a % 1.5 + torch.remainder(a, -2.0) + a // 0.75 + torch.fmod(a, 1.25)
        out[tile] = f + torch.div(a, -0.5, rounding_mode="trunc") + torch.div(a, 0.3, rounding_mode="floor")
        i = b % 7 + b // -3 + torch.fmod(b, 5) + torch.div(b, 4, rounding_mode="trunc") + torch.remainder(b, -6)
        bits = (b & 12) | (b ^ 5) + (~b) + (b << 2) + (b >> 1) + (b << (b & 3)) + (b >> (b & 7))
        logic = torch.logical_and(b > 0, a < 0.5) | torch.logical_not(b == 3)
        ints[tile] = i + bits + logic.to(b.dtype)
    return out, ints


def modular_reference(x: torch.Tensor, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    f = x % 1.5 + torch.remainder(x, -2.0) + x // 0.75 + torch.fmod(x, 1.25)
    out = f + torch.div(x, -0.5, rounding_mode="trunc") + torch.div(x, 0.3, rounding_mode="floor")
    i = k % 7 + k // -3 + torch.fmod(k, 5) + torch.div(k, 4, rounding_mode="trunc") + torch.remainder(k, -6)
    bits = (k & 12) | (k ^ 5) + (~k) + (k << 2) + (k >> 1) + (k << (k & 3)) + (k >> (k & 7))
    logic = torch.logical_and(k > 0, x < 0.5) | torch.logical_not(k == 3)
    return out, i + bits + logic.to(k.dtype)


@helion.kernel(static_shapes=True)
def mix_logs(x: torch.Tensor, y: torch.Tensor, beta: float) -> torch.Tensor:
    """Python arithmetic on a float argument in device code (1 - beta, beta / 2.0, beta % 0.2), as Python
    floats; log2 and log10."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        a = torch.abs(x[tile]) + 1.0
        w = (1 - beta) * torch.log2(a) + beta * torch.log10(a)
        out[tile] = w + (beta / 2.0 + 0.25) * (2 * beta - 1.5) * y[tile] + (beta % 0.2)
    return out


def mix_logs_reference(x: torch.Tensor, y: torch.Tensor, beta: float) -> torch.Tensor:
    a = torch.abs(x) + 1.0
    w = (1 - beta) * torch.log2(a) + beta * torch.log10(a)
    return w + (beta / 2.0 + 0.25) * (2 * beta - 1.5) * y + (beta % 0.2)



@helion.kernel(static_shapes=True)
def scale_by_head_table(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """x (B, H, M) times table[b, h, m // 16]: a scalar read at tile positions, where table may have
    size 1 in its batch and head dimensions (flex attention's [1, 1, 1] block mask read at
    [b, h, row]). Helion drops a size-1 dimension from the address: that position reads its one
    element, as torch's broadcasting of table does."""
    b, h, m = x.size()
    out = torch.empty_like(x)
    for tile_b, tile_h, tile_m in hl.tile([b, h, m], block_size=[1, 1, 16]):
        s = table[tile_b.begin, tile_h.begin, tile_m.begin // 16]
        out[tile_b, tile_h, tile_m] = x[tile_b, tile_h, tile_m] * s
    return out


def scale_by_head_table_reference(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    rows = torch.arange(x.size(2)) // 16
    return x * table[:, :, rows]


# The cases the test suite runs with `python -m helion_mlir check` (scripts/examples_suite/cases.py):
# shapes that are no multiple of the tiles, f32 and 16-bit floats, default and explicit configs. The
# torch references compute in f32 and round once; 16-bit cases without one compare with Helion's
# interpreter, which rounds after every op as the kernel does.
CHECKS = [
    {"kernel": "bias_add", "args": ["torch.randn(100, 77)", "torch.randn(77)"], "ref": "bias_add_reference"},
    {"kernel": "bias_add", "args": ["torch.randn(45, 130, dtype=torch.float16)", "torch.randn(130, dtype=torch.float16)"],
     "config": {"block_sizes": [16, 64]}, "ref": "bias_add_reference"},
    # Six transcendental functions summed: torch's vectorized kernels and libm differ by up to 5e-5
    # here when the case runs after the other examples in one process (1e-6 when run alone).
    {"kernel": "activations", "args": ["torch.randn(100, 77)"], "ref": "activations_reference", "rtol": 1e-4,
     "atol": 1e-4},
    {"kernel": "activations", "args": ["torch.randn(37, 70, dtype=torch.bfloat16)"], "config": {"block_sizes": [8, 32]},
     "ref": "activations_reference"},
    {"kernel": "activations", "args": ["torch.randn(37, 70, dtype=torch.float16)"]},
    {"kernel": "leaky_clamp", "args": ["torch.randn(100, 77)", "torch.randn(100, 77)"], "ref": "leaky_clamp_reference"},
    {"kernel": "leaky_clamp", "args": ["torch.randn(33, 65, dtype=torch.float16)", "torch.randn(33, 65, dtype=torch.float16)"],
     "config": {"block_sizes": [32, 16]}, "ref": "leaky_clamp_reference"},
    {"kernel": "to_bf16_scaled", "args": ["torch.randn(100, 77, dtype=torch.float16)"], "ref": "to_bf16_scaled_reference"},
    {"kernel": "to_bf16_scaled", "args": ["torch.randn(19, 300)"], "config": {"block_sizes": [4, 128]},
     "ref": "to_bf16_scaled_reference"},
    {"kernel": "math_ops", "args": ["torch.randn(100, 77)"], "ref": "math_ops_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "math_ops", "args": ["torch.randn(45, 70, dtype=torch.float16)"], "config": {"block_sizes": [16, 32]}},
    {"kernel": "axpby", "args": ["torch.randn(100, 77)", "torch.randn(100, 77)", "0.5", "-2.25", "3"],
     "ref": "axpby_reference"},
    {"kernel": "axpby", "args": ["torch.randn(50, 33, dtype=torch.bfloat16)", "torch.randn(50, 33, dtype=torch.bfloat16)",
                                 "1.5", "0.25", "-1"], "config": {"block_sizes": [16, 16]}},
    {"kernel": "scale_shift_3d", "args": ["torch.randn(16, 24, 32)", "torch.randn(1, 24, 32)", "torch.randn(16, 1, 32)"],
     "config": {"block_sizes": [8, 8, 8]}, "ref": "scale_shift_3d_reference"},
    {"kernel": "scale_shift_3d", "args": ["torch.randn(13, 21, 30)", "torch.randn(1, 21, 30)", "torch.randn(13, 1, 30)"],
     "config": {"block_sizes": [8, 4, 16]}, "ref": "scale_shift_3d_reference"},
    # Square tiles: lined up on the right instead, the row scale would silently scale columns.
    {"kernel": "row_scale_col_shift", "args": ["torch.randn(48, 48)", "torch.randn(48)", "torch.randn(48)"],
     "config": {"block_sizes": [16, 16]}, "ref": "row_scale_col_shift_reference"},
    {"kernel": "row_scale_col_shift", "args": ["torch.randn(45, 70)", "torch.randn(45)", "torch.randn(70)"],
     "config": {"block_sizes": [16, 32]}, "ref": "row_scale_col_shift_reference"},
    # Divisors of both signs on floats and ints (torch.randint's range covers negatives and zero
    # dividends): Python rounding toward negative infinity, fmod and trunc toward zero.
    {"kernel": "modular", "args": ["torch.randn(45, 70) * 4", "torch.randint(-50, 50, (45, 70))"],
     "config": {"block_sizes": [16, 32]}, "ref": "modular_reference", "modes": ["symbolic"]},
    {"kernel": "mix_logs", "args": ["torch.randn(45, 70)", "torch.randn(45, 70)", "0.7"], "ref": "mix_logs_reference",
     "config": {"block_sizes": [16, 32]}, "rtol": 1e-5, "atol": 1e-5, "modes": ["symbolic"]},
    {"kernel": "mix_logs", "args": ["torch.randn(33, 20)", "torch.randn(33, 20)", "-1.35"], "ref": "mix_logs_reference",
     "rtol": 1e-5, "atol": 1e-5, "modes": ["symbolic"]},
    {"kernel": "scale_by_head_table", "args": ["torch.randn(2, 3, 40)", "torch.randn(1, 1, 3)"],
     "ref": "scale_by_head_table_reference"},
    {"kernel": "scale_by_head_table", "args": ["torch.randn(3, 2, 33)", "torch.randn(3, 1, 3)"],
     "ref": "scale_by_head_table_reference"},
    {"kernel": "scale_by_head_table", "args": ["torch.randn(2, 4, 20, dtype=torch.float16)",
                                               "torch.randn(2, 4, 2, dtype=torch.float16)"],
     "ref": "scale_by_head_table_reference", "rtol": 1e-3, "atol": 1e-3},
]
