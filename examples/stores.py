"""Stores of numbers and of one-element tiles, and strided slices: what torch's assignment broadcasts
(`x[tile] = 1.0`, `out[tile] = tile.id`, `buf[:] = row[i]`), each checked against the same kernel in
Helion's interpreter."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def fill_halves(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x[tile] = 3 (an int into a float tensor); y's first 13 columns 1.5, the rest 2, a None index
    in between that fills nothing more."""
    for tile in hl.tile(x.size(0)):
        x[tile] = 3
        y[tile, :13] = 1.5
        y[tile, 13:] = 2.0
        y[tile, None, 20] = -1.0
    return x, y


@helion.kernel(static_shapes=True)
def tile_numbers(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each element's tile id, and the tile's begin plus x: sizes stored as numbers."""
    ids = torch.empty(x.size(), dtype=torch.int32, device=x.device)
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=16):  # fixed: the ids depend on it
        ids[tile] = tile.id
        out[tile] = x[tile] + tile.begin
    return ids, out


def ref_tile_numbers_16(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """tile_numbers with tiles of 16 (Helion's interpreter runs one tile over the whole range)."""
    first = torch.arange(x.size(0)) // 16
    return first.to(torch.int32), x + first * 16


@helion.kernel(static_shapes=True)
def mark_tile_ends(x: torch.Tensor) -> torch.Tensor:
    """At each tile's end, 1 + x at the tile's begin: the last tiles' ends are past the tensor,
    where the store is skipped."""
    out = torch.zeros(x.size(), dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile(x.size(), block_size=[16, 8]):  # fixed: the marks depend on it
        out[tile_m.end, tile_n.end] = 1.0 + x[tile_m.begin, tile_n.begin]
    return out


def ref_mark_tile_ends_16x8(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros(x.size(), dtype=torch.float32)
    rows = torch.arange(1, (x.size(0) - 1) // 16 + 1) * 16
    cols = torch.arange(1, (x.size(1) - 1) // 8 + 1) * 8
    out[rows[:, None], cols[None, :]] = (1.0 + x[rows[:, None] - 16, cols[None, :] - 8]).float()
    return out


@helion.kernel(static_shapes=True)
def block_column_sums(x: torch.Tensor) -> torch.Tensor:
    """Sums of x's column blocks, stored into a host tensor as wide as a registered block size:
    `sums[:, :]` views the whole of a tensor whose row stride is that size's (fixed at 16: the
    result's shape depends on it)."""
    _m, n = x.size()
    bn = hl.register_block_size(16, 16)
    sums = torch.empty([16, bn], dtype=torch.float32, device=x.device)  # x has 16 rows
    for _ in hl.grid(1):
        acc = hl.zeros([16, bn], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=bn):
            acc = acc + x[:, tile_n]
        sums[:, :] = acc
    return sums


def ref_block_column_sums_16(x: torch.Tensor) -> torch.Tensor:
    """Blocks of 16 columns, or of the power of two that holds a narrower x (Helion's clamp)."""
    m, n = x.size()
    width = min(16, 1 << (n - 1).bit_length())
    padded = torch.nn.functional.pad(x.float(), (0, -n % width))
    return padded.reshape(m, -1, width).sum(1)


@helion.kernel(static_shapes=True)
def sums_and_spread(x: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Row sums, and each row filled with 2 * w's element: a [tile, 1] value stored into
    out[tile, :] broadcasts, persistent or in each chunk of a looped reduction."""
    m, n = x.size()
    sums = torch.empty([m], dtype=x.dtype, device=x.device)
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        sums[tile_m] = torch.sum(x[tile_m, :], dim=-1)
        out[tile_m, :] = (w[tile_m] * 2.0).unsqueeze(-1)
    return sums, out


def ref_sums_and_spread(x: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return x.sum(-1), (w * 2.0)[:, None].expand(x.shape).contiguous()


@helion.kernel(static_shapes=True)
def strided_copy(src: torch.Tensor, dst: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Every other element of dst set to 1, and src[1::3] copied from dst[1::3]."""
    for _ in hl.grid(1):
        dst[::2] = 1.0
        src[1::3] = dst[1::3]
    return src, dst


@helion.kernel(static_shapes=True)
def row_firsts(buf: torch.Tensor, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """buf[i, :] = rows[i, 0] (a 0-d tile broadcast over the row) and rows[i, 1] = rows[i, 2:3] (a
    one-element tile stored into one element)."""
    for i in hl.grid(rows.size(0)):
        buf[i, :] = rows[i, 0]
        rows[i, 1] = rows[i, 2:3]
    return buf, rows


@helion.kernel(static_shapes=True)
def padded_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x + 1 through an accumulator next_power_of_2(n) wide (Helion's `:` over n is a block of that
    width, masked to n: the store writes the first n), and x again plus 0 times a device-side
    torch.empty."""
    n = hl.specialize(x.size(1))
    out = torch.empty_like(x)
    again = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        acc = hl.zeros([tile, helion.next_power_of_2(n)])
        acc += x[tile, :] + 1
        out[tile, :] = acc
        scratch = torch.empty([n], dtype=x.dtype, device=x.device)
        again[tile, :] = x[tile, :] + scratch * 0
    return out, again


def ref_padded_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """padded_rows without Helion's interpreter, whose torch.empty holds whatever memory did (NaN
    times 0 included)."""
    return x + 1, x.clone()


@helion.kernel(static_shapes=True)
def overlay_columns(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """2 * x over the first columns of y, then x + 1 written back: tiles of y's wider columns read and
    write the narrower x with a mask, past whose end nothing is read or written (as in Triton)."""
    out = torch.empty_like(y)
    for t0, t1 in hl.tile(y.size()):
        in_x = (t1.index < x.size(1))[None, :]
        xs = hl.load(x, [t0, t1], extra_mask=in_x)
        out[t0, t1] = torch.where(in_x, 2 * xs, y[t0, t1])
        hl.store(x, [t0, t1], xs + 1, extra_mask=in_x)
    return out, x


def ref_overlay_columns(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.cat([2 * x, y[:, x.size(1):]], dim=1), x + 1


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py); the reference is Helion's interpreter.
@helion.kernel(static_shapes=True)
def set_column(x: torch.Tensor, column: int) -> torch.Tensor:
    """x[:, column] = x[:, 0] + 1 in place: a negative int-argument column counts from the end, as
    torch's x[:, -1] does; one outside x is not written."""
    for tile in hl.tile(x.size(0)):
        x[tile, column] = x[tile, 0] + 1
    return x


def set_column_reference(x: torch.Tensor, column: int) -> torch.Tensor:
    x = x.clone()
    if -x.size(1) <= column < x.size(1):
        x[:, column] = x[:, 0] + 1
    return x


@helion.kernel(static_shapes=True)
def replace_keeping_old(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """out[tile] = x[tile] in place, and 2 * old + new into a second output: the tile read before
    the store keeps the values it had when it was read."""
    kept = torch.empty_like(out)
    for tile in hl.tile(out.size(0)):
        old = out[tile]
        out[tile] = x[tile]
        kept[tile] = old * 2.0 + out[tile]
    return kept


def replace_keeping_old_reference(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return out * 2.0 + x



@helion.kernel(static_shapes=True)
def fill_group_blocks(offsets: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """Group g's rows [offsets[g], offsets[g + 1]) (at most 4), columns 0-4 and depths 0-2 set to g + 1:
    a store through three hl.aranges (a cartesian product) of 4, 5 and 3 positions, masked by the
    group's end and out's sizes. Helion records the mask and the value 8 and 4 wide (padded to powers
    of two for Triton), the positions 5 and 3: the padding is written nowhere."""
    n, p = out.size(1), out.size(2)
    for g in hl.grid(offsets.size(0) - 1):
        start = offsets[g]
        end = offsets[g + 1]
        rows = start + hl.arange(4)
        cols = hl.arange(5)
        depth = hl.arange(3)
        mask = (rows < end)[:, None, None] & (cols < n)[None, :, None] & (depth < p)[None, None, :]
        value = torch.full([4, 5, 3], 1.0, dtype=out.dtype) + g
        hl.store(out, [rows, cols, depth], value, extra_mask=mask)
    return out


def fill_group_blocks_reference(offsets: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    result = out.clone()
    for g in range(offsets.size(0) - 1):
        start = int(offsets[g])
        result[start:min(int(offsets[g + 1]), start + 4), :5, :3] = g + 1.0
    return result


CHECKS = [
    {"kernel": "replace_keeping_old", "args": ["torch.randn(128)", "torch.randn(128)"],
     "config": {"block_sizes": [32]}, "ref": "replace_keeping_old_reference"},
    {"kernel": "replace_keeping_old", "args": ["torch.randn(100)", "torch.randn(100)"],
     "config": {"block_sizes": [32]}, "ref": "replace_keeping_old_reference"},
    {"kernel": "set_column", "args": ["torch.randn(37, 5)", "-2"], "config": {"block_sizes": [16]},
     "ref": "set_column_reference"},
    {"kernel": "set_column", "args": ["torch.randn(37, 5)", "-6"], "config": {"block_sizes": [16]},
     "ref": "set_column_reference"},
    {"kernel": "fill_halves", "args": ["torch.zeros(50)", "torch.zeros(50, 29)"], "config": {"block_sizes": [16]}},
    {"kernel": "fill_halves", "args": ["torch.zeros(50, dtype=torch.float16)", "torch.zeros(50, 29, dtype=torch.float16)"]},
    {"kernel": "tile_numbers", "args": ["torch.randn(77)"], "ref": "ref_tile_numbers_16"},
    {"kernel": "mark_tile_ends", "args": ["torch.randn(64, 40)"], "ref": "ref_mark_tile_ends_16x8"},
    {"kernel": "sums_and_spread", "args": ["torch.randn(37, 70)", "torch.randn(37)"], "ref": "ref_sums_and_spread",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "sums_and_spread", "args": ["torch.randn(37, 70)", "torch.randn(37)"], "ref": "ref_sums_and_spread",
     "config": {"block_sizes": [8], "reduction_loops": [16]}, "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "block_column_sums", "args": ["torch.randn(16, 77)"], "ref": "ref_block_column_sums_16",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "mark_tile_ends", "args": ["torch.randn(50, 37)"], "ref": "ref_mark_tile_ends_16x8"},
    {"kernel": "strided_copy", "args": ["torch.zeros(128)", "torch.zeros(128)"]},
    {"kernel": "strided_copy", "args": ["torch.zeros(37)", "torch.randn(37)"]},
    {"kernel": "padded_rows", "args": ["torch.randn(50, 37)"], "config": {"block_sizes": [16]}, "ref": "ref_padded_rows"},
    {"kernel": "row_firsts", "args": ["torch.zeros(6, 19)", "torch.randn(6, 5)"]},
    {"kernel": "overlay_columns", "args": ["torch.randn(37, 20)", "torch.randn(37, 45)"],
     "config": {"block_sizes": [16, 16]}, "ref": "ref_overlay_columns"},
    {"kernel": "overlay_columns", "args": ["torch.randn(9, 3, dtype=torch.bfloat16)", "torch.randn(9, 50, dtype=torch.bfloat16)"],
     "config": {"block_sizes": [8, 32]}, "ref": "ref_overlay_columns"},
    {"kernel": "fill_group_blocks", "args": ["torch.tensor([0, 2, 5, 6], dtype=torch.int32)", "torch.zeros(6, 4, 3)"],
     "ref": "fill_group_blocks_reference"},
    {"kernel": "fill_group_blocks", "args": ["torch.tensor([0, 4, 7], dtype=torch.int32)",
                                             "torch.full((7, 6, 2), -1.0)"],
     "ref": "fill_group_blocks_reference"},
]
