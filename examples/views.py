"""View ops on tiles: transposes (x.T, t(), permute), unit dimensions (unsqueeze, squeeze, x[None, :]),
reshape and expand, each checked against the same kernel in Helion's interpreter."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def transpose_add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """out = x.T + y, reading x's tile and writing it transposed; y's tile goes through two t()s and
    a unit dimension added and dropped."""
    m, n = x.size()
    out = torch.empty([n, m], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        a = x[tile_m, tile_n]
        b = y[tile_n, tile_m]
        out[tile_n, tile_m] = a.T + b.t().t().unsqueeze(0).squeeze(0).contiguous() + a.permute(1, 0)
    return out


@helion.kernel(static_shapes=True)
def broadcast_rows(x: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """x + b expanded over the rows, times b viewed as one row."""
    m, n = x.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        row = b[tile_n]
        out[tile_m, tile_n] = x[tile_m, tile_n] + row[None, :].expand(tile_m, tile_n) * row.view(1, -1)
    return out


@helion.kernel(static_shapes=True)
def flatten_pairs(x: torch.Tensor) -> torch.Tensor:
    """Sums of adjacent column pairs: the [tile_m, 2 * half] tile reshaped to [tile_m, half, 2]."""
    m, n = x.size()
    half = hl.specialize(n) // 2
    out = torch.empty([m, half], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.sum(x[tile_m, :].reshape(tile_m, half, 2), -1)
    return out


@helion.kernel(static_shapes=True)
def stack_pairs(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """torch.stack of tiles: along a new middle dimension, and along a new last one of four in
    another dtype (each input cast to the result's)."""
    m, n = x.size()
    pairs = torch.empty([m, 2, n], dtype=x.dtype, device=x.device)
    quads = torch.empty([m, n, 4], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        a = x[tile_m, tile_n]
        b = y[tile_m, tile_n]
        pairs[tile_m, :, tile_n] = torch.stack([a, b * 2.0], dim=1)
        quads[tile_m, tile_n, :] = torch.stack([a.float(), b.float(), a.float() - b.float(), a.float() * b.float()], dim=-1)
    return pairs, quads


def stack_pairs_reference(x: torch.Tensor, y: torch.Tensor):
    a, b = x.float(), y.float()
    return torch.stack([x, y * 2.0], dim=1), torch.stack([a, b, a - b, a * b], dim=-1)


@helion.kernel(static_shapes=True)
def swap_pairs(x: torch.Tensor, s: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """hl.split of x's pairs, hl.join of them swapped (the high half doubled), and hl.join of the
    low half with a scalar read from s."""
    m = x.size(0)
    swapped = torch.empty_like(x)
    with_s = torch.empty([m, 2], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        lo, hi = hl.split(x[tile, :])
        swapped[tile, :] = hl.join(hi * 2.0, lo)
        with_s[tile, :] = hl.join(lo, hl.load(s, [0]))
    return swapped, with_s


def swap_pairs_reference(x: torch.Tensor, s: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.stack((x[:, 1] * 2.0, x[:, 0]), -1), torch.stack((x[:, 0], s[0].expand(x.size(0))), -1)


@helion.kernel(static_shapes=True)
def bits_of(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x.view(dtype) reinterprets the bits: a bfloat16 tile as int16 with its sign bit cleared is |x|
    viewed back, and a float32 tile as int32 plus one is the next float up (for positive x)."""
    out = torch.empty_like(x)
    up = torch.empty(x.size(), dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = (x[tile].view(torch.int16) & 0x7FFF).view(torch.bfloat16)
        wide = x[tile].to(torch.float32).abs()
        up[tile] = (wide.view(dtype=torch.int32) + 1).view(torch.float32)
    return out, up


def bits_of_reference(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    wide = x.to(torch.float32).abs()
    return (x.view(torch.int16) & 0x7FFF).view(torch.bfloat16), (wide.view(torch.int32) + 1).view(torch.float32)



@helion.kernel(static_shapes=True)
def unpack_int4_dot(x: torch.Tensor, packed: torch.Tensor) -> torch.Tensor:
    """x @ w for w packed two signed 4-bit values per int8 byte (Helion's int4_gemm): each byte's low
    nibble is row 2i of w, its high one row 2i + 1, interleaved by torch.stack(dim=1) and a reshape
    into the K tile of the dot."""
    m, k = x.size()
    _, n = packed.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    block_k = hl.register_block_size(k // 2)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k // 2, block_size=block_k):
            a = x[tile_m, tile_k.begin * 2 : tile_k.begin * 2 + block_k * 2]
            b = packed[tile_k, tile_n]
            lo = (b & 0xF).to(torch.int32)
            lo = torch.where(lo >= 8, lo - 16, lo)
            hi = (b >> 4).to(torch.int32)
            w = torch.stack([lo.to(x.dtype), hi.to(x.dtype)], dim=1).reshape(tile_k.block_size * 2, tile_n.block_size)
            acc = hl.dot(a, w, acc=acc)
        out[tile_m, tile_n] = acc
    return out


def unpack_int4_dot_reference(x: torch.Tensor, packed: torch.Tensor) -> torch.Tensor:
    lo, hi = (packed << 4) >> 4, packed >> 4
    w = torch.stack([lo, hi], dim=1).reshape(2 * packed.size(0), packed.size(1))
    return (x.double() @ w.double()).float()

# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py); the reference is Helion's interpreter.
CHECKS = [
    {"kernel": "transpose_add", "args": ["torch.randn(37, 45)", "torch.randn(45, 37)"]},
    {"kernel": "transpose_add", "args": ["torch.randn(37, 45, dtype=torch.float16)", "torch.randn(45, 37, dtype=torch.float16)"],
     "config": {"block_sizes": [16, 32]}, "rtol": 1e-3, "atol": 1e-3},
    {"kernel": "broadcast_rows", "args": ["torch.randn(37, 45)", "torch.randn(45)"]},
    {"kernel": "broadcast_rows", "args": ["torch.randn(37, 45, dtype=torch.bfloat16)", "torch.randn(45, dtype=torch.bfloat16)"],
     "config": {"block_sizes": [8, 64]}, "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "flatten_pairs", "args": ["torch.randn(37, 64)"]},
    {"kernel": "swap_pairs", "args": ["torch.randn(37, 2)", "torch.randn(3)"], "config": {"block_sizes": [16]},
     "ref": "swap_pairs_reference"},
    {"kernel": "flatten_pairs", "args": ["torch.randn(37, 32, dtype=torch.float16)"], "config": {"block_sizes": [8]},
     "rtol": 1e-3, "atol": 1e-3},
    {"kernel": "stack_pairs", "args": ["torch.randn(45, 70)", "torch.randn(45, 70)"], "ref": "stack_pairs_reference",
     "config": {"block_sizes": [16, 32]}, "modes": ["symbolic"]},
    {"kernel": "bits_of", "args": ["torch.randn(45, dtype=torch.bfloat16)"], "config": {"block_sizes": [16]},
     "ref": "bits_of_reference", "rtol": 0, "atol": 0},
    {"kernel": "unpack_int4_dot", "args": ["torch.randn(45, 96, dtype=torch.bfloat16)",
                                           "torch.randint(-128, 128, (48, 37), dtype=torch.int8)"],
     "config": {"block_sizes": [16, 16, 16]}, "ref": "unpack_int4_dot_reference", "rtol": 1e-4, "atol": 1e-3},
]
