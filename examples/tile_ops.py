"""Tile queries: tile.index, tile.begin, tile.end, tile.block_size, tile.id and tile.count, as
tensors of positions and as index arithmetic."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def add_position(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + tile.index
    return out


@helion.kernel(static_shapes=True)
def tile_identities(x: torch.Tensor) -> torch.Tensor:
    """Every query, combined so that the result does not depend on the block size: the tile's id
    times its size is its begin, every real position is before its end, and count tiles cover x."""
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        zero = tile.id * tile.block_size - tile.begin
        before_end = (tile.index < tile.end).to(x.dtype)
        covered = (tile.index < tile.count * tile.block_size).to(x.dtype)
        out[tile] = x[tile] + zero + before_end + covered
    return out


@helion.kernel(static_shapes=True)
def count_from_begin(x: torch.Tensor) -> torch.Tensor:
    """tile.count of a loop over an outer tile's range: its tiles of 8, the same for every element
    of an outer tile of 16 (2, or 1 for a last outer tile of at most 8). Each outer tile writes only
    its own elements, so the grid's tiles may run in any order, or at once."""
    n = x.size(0)
    out = torch.empty_like(x)
    for outer in hl.tile(n, block_size=16):
        for inner in hl.tile(outer.begin, outer.end, block_size=8):
            out[inner] = x[inner] + inner.count
    return out


@helion.kernel(static_shapes=True)
def lower_triangle(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        keep = tile_m.index[:, None] >= tile_n.index[None, :]
        out[tile_m, tile_n] = x[tile_m, tile_n] * keep.to(x.dtype)
    return out


@helion.kernel(static_shapes=True)
def ramp_rows(x: torch.Tensor, start: int) -> torch.Tensor:
    """torch.arange (prims.iota) and torch.full_like / zeros_like (aten.full) in device code."""
    n = hl.specialize(x.size(1))
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        ramp = torch.arange(start, start + 2 * n, 2, dtype=torch.int32)
        base = torch.full_like(x[tile, :], 0.5) + torch.zeros_like(x[tile, :])
        out[tile, :] = x[tile, :] * ramp[None, :].to(x.dtype) + base
    return out


def ramp_rows_reference(x: torch.Tensor, start: int) -> torch.Tensor:
    ramp = torch.arange(start, start + 2 * x.size(1), 2, dtype=torch.int32)
    return x * ramp[None, :].to(x.dtype) + 0.5


def add_position_reference(x: torch.Tensor) -> torch.Tensor:
    return x + torch.arange(x.size(0), dtype=torch.int32)


def tile_identities_reference(x: torch.Tensor) -> torch.Tensor:
    return x + 2


def count_from_begin_reference(x: torch.Tensor) -> torch.Tensor:
    begins = torch.arange(x.size(0)) // 16 * 16
    ends = torch.clamp(begins + 16, max=x.size(0))
    return x + (ends - begins + 7) // 8


def lower_triangle_reference(x: torch.Tensor) -> torch.Tensor:
    return torch.tril(x)


@helion.kernel(static_shapes=True)
def fill_from_tensor(x: torch.Tensor, fill: torch.Tensor) -> torch.Tensor:
    """hl.full with a value read from a tensor (fill[0]), in another dtype than the tensor's."""
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        shift = hl.full([tile_m, tile_n], fill[0], torch.float32)
        out[tile_m, tile_n] = (x[tile_m, tile_n] * shift).to(x.dtype)
    return out


def fill_from_tensor_reference(x: torch.Tensor, fill: torch.Tensor) -> torch.Tensor:
    return (x.float() * fill[0].float()).to(x.dtype)


@helion.kernel(static_shapes=True)
def chunk_ends(x: torch.Tensor, chunk: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The last element of each chunk of x, found twice: by an hl.grid index in a size expression
    (min((i + 1) * chunk, n) - 1) and by a tile's begin (min(t.begin + chunk - 1, n - 1))."""
    n = x.size(0)
    chunk = hl.specialize(chunk)
    nchunks = (n + chunk - 1) // chunk
    by_grid = torch.zeros(nchunks, dtype=x.dtype, device=x.device)
    by_tile = torch.zeros(nchunks, dtype=x.dtype, device=x.device)
    for i in hl.grid(nchunks):
        last = min((i + 1) * chunk, n) - 1
        by_grid[i] = x[last]
    for t in hl.tile(n, block_size=chunk):
        last = min(t.begin + chunk - 1, n - 1)
        by_tile[t.id] = x[last]
    return by_grid, by_tile


@helion.kernel(static_shapes=True)
def add_constant(x: torch.Tensor, val: hl.constexpr) -> torch.Tensor:
    """x + torch.tensor(val) in device code: a 0-d constant tensor (_constant_tensor)."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + torch.tensor(val, dtype=torch.float32)
    return out


def add_constant_reference(x: torch.Tensor, val: int) -> torch.Tensor:
    return (x + torch.tensor(val, dtype=torch.float32)).to(x.dtype)


def chunk_ends_reference(x: torch.Tensor, chunk: int) -> tuple[torch.Tensor, torch.Tensor]:
    ends = x[torch.arange(chunk - 1, x.size(0) + chunk - 1, chunk).clamp(max=x.size(0) - 1)]
    return ends, ends.clone()


@helion.kernel(static_shapes=True)
def swizzle_from(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """A grid that starts at 3 (hl.tile(3, n)): the elements before it keep their zeros, each later
    one adds table[(i >> 2) * 8 + (i & 3)] (a swizzled gather by the tile's positions)."""
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(3, n):
        idx = (tile.index >> 2) * 8 + (tile.index & 3)
        out[tile] = x[tile] + table[idx]
    return out


def swizzle_from_reference(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    i = torch.arange(3, x.size(0))
    out = torch.zeros_like(x)
    out[3:] = x[3:] + table[(i >> 2) * 8 + (i & 3)]
    return out


@helion.kernel(static_shapes=True)
def interior_counts(x: torch.Tensor) -> torch.Tensor:
    """A 2-D grid over the interior, hl.tile([1, 2], [m - 1, n]): each element there adds its row
    tile's count (of tiles of 8, which the config sweep must not change); the border keeps its zeros."""
    m, n = x.size()
    out = torch.zeros_like(x)
    for tile_m, tile_n in hl.tile([1, 2], [m - 1, n], block_size=[8, 4]):
        out[tile_m, tile_n] = x[tile_m, tile_n] + tile_m.count
    return out


def interior_counts_reference(x: torch.Tensor, block_m: int) -> torch.Tensor:
    out = torch.zeros_like(x)
    m = x.size(0)
    out[1 : m - 1, 2:] = x[1 : m - 1, 2:] + (m - 2 + block_m - 1) // block_m
    return out


def interior_counts_reference_8(x: torch.Tensor) -> torch.Tensor:
    return interior_counts_reference(x, 8)


@helion.kernel(static_shapes=True)
def every_third_from(x: torch.Tensor) -> torch.Tensor:
    """An outer hl.grid(2, n, 3): elements 2, 5, 8, ... doubled, the others zero."""
    out = torch.zeros_like(x)
    for i in hl.grid(2, x.size(0), 3):
        out[i] = x[i] * 2
    return out


def every_third_from_reference(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    out[2::3] = x[2::3] * 2
    return out


@helion.kernel(static_shapes=True)
def count_between(x: torch.Tensor, begin: int, end: int) -> torch.Tensor:
    """An outer hl.tile(begin, end) over int arguments, which one module serves for every value."""
    out = torch.zeros_like(x)
    for tile in hl.tile(begin, end, block_size=8):
        out[tile] = x[tile] + tile.count
    return out


def count_between_reference(x: torch.Tensor, begin: int, end: int) -> torch.Tensor:
    out = torch.zeros_like(x)
    out[begin:end] = x[begin:end] + (end - begin + 7) // 8
    return out


@helion.kernel(static_shapes=True)
def row_swizzle(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Python's >>, <<, |, & and ^ on a row's begin (index arithmetic): row r adds
    table[(((r >> 2) << 3) | ((r & 3) ^ 1)) % len(table)] to each of its elements. The high part is a
    size expression of the begin (BitwiseFn functions); in the inner loop the begin is a loop
    argument, so the low part, the `|` and the `%` are operator nodes."""
    rows, cols = x.size()
    out = torch.empty_like(x)
    for tile_r in hl.tile(rows, block_size=1):
        r = tile_r.begin
        high = ((r >> 2) << 3) & ~7
        for tile_c in hl.tile(cols):
            out[r, tile_c] = x[r, tile_c] + table[(high | ((r & 3) ^ 1)) % table.size(0)]
    return out


def row_swizzle_reference(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    r = torch.arange(x.size(0))
    return x + table[(((r >> 2) << 3) | ((r & 3) ^ 1)) % table.size(0)][:, None]


@helion.kernel(static_shapes=True)
def split_heads(x: torch.Tensor, batch: int, heads: int) -> torch.Tensor:
    """x [batch * heads, n] as [batch, heads, n], each row stored at its hl.grid index's quotient and
    remainder by `heads` (sympy's FloorDiv and PythonMod in the store's indices)."""
    out = torch.empty([batch, heads, x.size(1)], dtype=x.dtype, device=x.device)
    for bh in hl.grid(x.size(0)):
        out[bh // heads, bh % heads, :] = x[bh, :] * 2
    return out


def split_heads_reference(x: torch.Tensor, batch: int, heads: int) -> torch.Tensor:
    return (x * 2).reshape(batch, heads, x.size(1))


@helion.kernel(static_shapes=True)
def outer_tile_positions(x: torch.Tensor) -> torch.Tensor:
    """An outer tile's id, end and count read in an inner loop, where the loop's graph names them by
    symbol (tile_id, tile_end, tile_count): each row block's last row, scaled by the block's id and
    offset by the number of blocks, into one output row per block."""
    m, n = x.size()
    out = torch.empty([(m + 3) // 4, n], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m, block_size=4):
        block, end, count = tile_m.id, tile_m.end, tile_m.count
        for tile_n in hl.tile(n):
            out[block, tile_n] = x[end - 1, tile_n] * (block + 1) + count
    return out


def outer_tile_positions_reference(x: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    blocks = torch.arange((m + 3) // 4)
    last = torch.clamp(blocks * 4 + 3, max=m - 1)
    return x[last] * (blocks + 1).to(x.dtype)[:, None] + len(blocks)


@helion.kernel(static_shapes=True)
def tiles_of_width(x: torch.Tensor, width: int) -> torch.Tensor:
    """Tiles as wide as an int argument (hl.tile(n, block_size=width)), each element times its tile's
    id plus the width: the config sizes no block, and Helion's Triton code takes the width as a
    constexpr, compiled for each value; the module is compiled for the example's."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=width):
        out[tile] = x[tile] * tile.id + tile.block_size
    return out


def tiles_of_width_reference(x: torch.Tensor, width: int) -> torch.Tensor:
    return x * (torch.arange(x.size(0)) // width).to(x.dtype) + width


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py). Helion's interpreter runs whole dimensions as one tile, so the
# references are the torch functions above.
CHECKS = [
    {"kernel": "tiles_of_width", "args": ["torch.randn(100)", "16"], "config": {"block_sizes": []},
     "ref": "tiles_of_width_reference"},
    {"kernel": "tiles_of_width", "args": ["torch.randn(77, dtype=torch.float16)", "32"], "config": {"block_sizes": []},
     "ref": "tiles_of_width_reference"},
    {"kernel": "add_position", "args": ["torch.randn(100)"], "ref": "add_position_reference"},
    {"kernel": "add_position", "args": ["torch.randn(77, dtype=torch.float16)"], "config": {"block_sizes": [16]},
     "ref": "add_position_reference"},
    {"kernel": "tile_identities", "args": ["torch.randn(100)"], "ref": "tile_identities_reference"},
    {"kernel": "tile_identities", "args": ["torch.randn(45, dtype=torch.bfloat16)"], "config": {"block_sizes": [8]},
     "ref": "tile_identities_reference"},
    {"kernel": "count_from_begin", "args": ["torch.randn(100)"], "ref": "count_from_begin_reference"},
    {"kernel": "count_from_begin", "args": ["torch.randn(45, dtype=torch.float16)"],
     "ref": "count_from_begin_reference"},
    {"kernel": "lower_triangle", "args": ["torch.randn(50, 70)"], "ref": "lower_triangle_reference"},
    {"kernel": "lower_triangle", "args": ["torch.randn(33, 21, dtype=torch.float16)"],
     "config": {"block_sizes": [16, 8]}, "ref": "lower_triangle_reference"},
    {"kernel": "ramp_rows", "args": ["torch.randn(50, 32)", "-3"], "ref": "ramp_rows_reference"},
    # A row of 11: the arange spans the row tile, padded to 16 as Helion pads it.
    {"kernel": "ramp_rows", "args": ["torch.randn(20, 11)", "4"], "config": {"block_sizes": [8]},
     "ref": "ramp_rows_reference"},
    # f16: the kernel rounds x * ramp + 0.5 once (contracted), torch after each op: 1 ulp at 32.
    {"kernel": "ramp_rows", "args": ["torch.randn(37, 16, dtype=torch.float16)", "5"], "config": {"block_sizes": [16]},
     "ref": "ramp_rows_reference", "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "fill_from_tensor", "args": ["torch.randn(45, 70)", "torch.tensor([3.5], dtype=torch.float64)"], "config": {"block_sizes": [16, 32]},
     "ref": "fill_from_tensor_reference", "modes": ["symbolic"]},
    {"kernel": "chunk_ends", "args": ["torch.randn(37)", "5"], "ref": "chunk_ends_reference"},
    {"kernel": "add_constant", "args": ["torch.randn(37)", "16"], "ref": "add_constant_reference"},
    {"kernel": "add_constant", "args": ["torch.arange(37, dtype=torch.int32)", "-3"], "ref": "add_constant_reference"},
    {"kernel": "chunk_ends", "args": ["torch.randn(40)", "8"], "ref": "chunk_ends_reference"},
    {"kernel": "outer_tile_positions", "args": ["torch.randn(37, 50)"], "config": {"block_sizes": [16]},
     "ref": "outer_tile_positions_reference"},
    {"kernel": "swizzle_from", "args": ["torch.randn(45)", "torch.randn(96)"], "config": {"block_sizes": [16]},
     "ref": "swizzle_from_reference", "modes": ["symbolic"]},
    {"kernel": "interior_counts", "args": ["torch.randn(21, 13)"], "ref": "interior_counts_reference_8",
     "modes": ["symbolic"]},
    {"kernel": "every_third_from", "args": ["torch.randn(37)"], "ref": "every_third_from_reference"},
    {"kernel": "split_heads", "args": ["torch.randn(15, 24)", "3", "5"], "ref": "split_heads_reference"},
    {"kernel": "row_swizzle", "args": ["torch.randn(21, 13)", "torch.randn(48)"], "config": {"block_sizes": [8]},
     "ref": "row_swizzle_reference"},
    {"kernel": "count_between", "args": ["torch.randn(50)", "5", "42"], "ref": "count_between_reference"},
]
