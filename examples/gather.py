"""Data-dependent and rank-changing access: an embedding lookup through an index tensor, rows
scattered to the positions an index tensor gives, loads and stores with an extra mask, integer and None
indices, and a slice of columns."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def embedding(ids: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    n = ids.size(0)
    dim = table.size(1)
    out = torch.empty([n, dim], dtype=table.dtype, device=table.device)
    for tile_n, tile_d in hl.tile([n, dim]):
        out[tile_n, tile_d] = table[ids[tile_n], tile_d]
    return out


@helion.kernel(static_shapes=True)
def scaled_rows(ids: torch.Tensor, table: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    n = ids.size(0)
    out = torch.empty([n, table.size(1)], dtype=table.dtype, device=table.device)
    for tile_n in hl.tile(n):
        out[tile_n, :] = table[ids[tile_n], :] * scale[tile_n, None]
    return out


@helion.kernel(static_shapes=True)
def place_rows(rows: torch.Tensor, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile_n, tile_d in hl.tile(x.size()):
        out[rows[tile_n], tile_d] = x[tile_n, tile_d] * 2.0
    return out


@helion.kernel(static_shapes=True)
def copy_prefixes(x: torch.Tensor, lengths: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """Row i of out takes x's first lengths[i] elements plus one; the rest of out is left alone."""
    for tile_m, tile_n in hl.tile(x.size()):
        keep = tile_n.index[None, :] < lengths[tile_m][:, None]
        row = hl.load(x, [tile_m, tile_n], extra_mask=keep)
        hl.store(out, [tile_m, tile_n], row + 1.0, extra_mask=keep)
    return out


@helion.kernel(static_shapes=True)
def place_positive(positions: torch.Tensor, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size(0)):
        value = x[tile]
        hl.store(out, [positions[tile]], value, extra_mask=value > 0)
    return out


@helion.kernel(static_shapes=True)
def edge_columns(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile, 0] - x[tile, -1]
    return out


@helion.kernel(static_shapes=True)
def pick_column(x: torch.Tensor, column: int) -> torch.Tensor:
    """An integer argument as an index: one function for every column."""
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile, column]
    return out


@helion.kernel(static_shapes=True)
def middle_columns(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), 5], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = x[tile, 2:7] * 2.0
    return out


def embedding_reference(ids: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    return table[ids]


def scaled_rows_reference(ids: torch.Tensor, table: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return table[ids] * scale[:, None]


def place_rows_reference(rows: torch.Tensor, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    out = out.clone()
    out[rows] = (x * 2.0).to(out.dtype)
    return out


def copy_prefixes_reference(x: torch.Tensor, lengths: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    keep = torch.arange(x.size(1))[None, :] < lengths[:, None]
    return torch.where(keep, x + 1.0, out)


def place_positive_reference(positions: torch.Tensor, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    out = out.clone()
    out[positions[x > 0]] = x[x > 0]
    return out


def edge_columns_reference(x: torch.Tensor) -> torch.Tensor:
    return x[:, 0] - x[:, -1]


def pick_column_reference(x: torch.Tensor, column: int) -> torch.Tensor:
    return x[:, column].clone()


def middle_columns_reference(x: torch.Tensor) -> torch.Tensor:
    """As the kernel assigns it: torch refuses the slice of a tensor narrower than 7 columns unless
    one column is left, which it broadcasts."""
    out = torch.empty([x.size(0), 5], dtype=x.dtype)
    out[:, :] = x[:, 2:7] * 2.0
    return out


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py). Helion's interpreter cannot gather on the CPU, so the references are
# the torch functions above.
@helion.kernel(static_shapes=True)
def sparse_rows_matmul(col: torch.Tensor, val: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """out[m, n] = sum_k val[m, k] * b[col[m, k], n]: b read through two index tensors that broadcast
    together into a [tile_m, tile_k, tile_n] tile, as torch's advanced indexing does."""
    m, k = col.shape
    n = b.size(1)
    out = torch.empty([m, n], dtype=b.dtype, device=b.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n])
        for tile_k in hl.tile(k):
            rows = b[col[tile_m, tile_k][:, :, None], tile_n.index[None, None, :]]
            acc = acc + (val[tile_m, tile_k][:, :, None] * rows).sum(dim=1)
        out[tile_m, tile_n] = acc
    return out


def sparse_rows_matmul_reference(col: torch.Tensor, val: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (val[:, :, None] * b[col]).sum(1)


@helion.kernel(static_shapes=True)
def group_blocks(x: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Per group g of rows [offsets[g], offsets[g + 1]): the 8 x 8 block at its first row, read and
    written through a pair of index vectors, which Helion takes as a cartesian product (rows x cols,
    not torch's elementwise pairs), masked to the group's rows and the columns there are."""
    out = torch.zeros_like(x)
    n = x.size(1)
    for g in hl.grid(offsets.size(0) - 1):
        start = offsets[g]
        end = offsets[g + 1]
        rows = start + hl.arange(8)
        cols = hl.arange(8)
        mask = (rows < end)[:, None] & (cols < n)[None, :]
        block = hl.load(x, [rows, cols], extra_mask=mask)
        hl.store(out, [rows, cols], block * 2 + cols[None, :].to(x.dtype), extra_mask=mask)
    return out


def group_blocks_reference(x: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    cols = min(8, x.size(1))
    for g in range(offsets.numel() - 1):
        start, end = int(offsets[g]), int(offsets[g + 1])
        rows = slice(start, min(start + 8, end))
        out[rows, :cols] = x[rows, :cols] * 2 + torch.arange(cols, dtype=x.dtype)
    return out


@helion.kernel(static_shapes=True)
def gather_rows(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """torch.gather in device code along a whole dimension (x[:, tile_m]): out[k, m] = x[index[k, m], m]."""
    k, m = index.size()
    out = torch.empty([k, m], dtype=x.dtype, device=x.device)
    for tile_k, tile_m in hl.tile([k, m]):
        out[tile_k, tile_m] = torch.gather(x[:, tile_m], 0, index[tile_k, tile_m])
    return out


@helion.kernel(static_shapes=True)
def gather_columns(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """torch.gather along the columns, fewer than x has: out[i, j] = x[i, index[i, j]]."""
    out = torch.empty(index.size(), dtype=x.dtype, device=x.device)
    for tile_i in hl.tile(x.size(0)):
        out[tile_i, :] = torch.gather(x[tile_i, :], 1, index[tile_i, :])
    return out


def gather_rows_reference(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    return torch.gather(x, 0, index)


def gather_columns_reference(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    return torch.gather(x, 1, index)


@helion.kernel(static_shapes=True)
def add_column(x: torch.Tensor, column: int) -> torch.Tensor:
    """x[tile_m, column, None]: a point-indexed column kept as a [tile_m, 1] tile (None) that
    broadcasts along the row."""
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n] + x[tile_m, column, None]
    return out


def add_column_reference(x: torch.Tensor, column: int) -> torch.Tensor:
    return x + x[:, column, None]


@helion.kernel(static_shapes=True)
def add_next_first(x: torch.Tensor) -> torch.Tensor:
    """Each element plus the first element of the next tile, x[tile.end]: past the end of x for the
    last tile, where the load reads zero, as a masked load's masked lanes do (Triton's unmasked load
    would read past the end)."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=16):  # fixed: the positions depend on it
        out[tile] = x[tile] + x[tile.end]
    return out


def add_next_first_reference(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    ends = torch.clamp((torch.arange(n) // 16 + 1) * 16, max=n)
    return x + torch.cat([x, x.new_zeros(1)])[ends]


@helion.kernel(static_shapes=True)
def add_segments(x: torch.Tensor, y: torch.Tensor, offsets: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """out = x + y over the segments [offsets[g], offsets[g + 1]), which may reach past the end of a
    tensor: a range the kernel loads, which no launch check sees (Triton would read and write past
    the end there). Past its end a tensor reads zeros and is not written."""
    for g in hl.grid(offsets.size(0) - 1):
        for tile in hl.tile(offsets[g], offsets[g + 1]):
            out[tile] = x[tile] + y[tile]
    return out


def add_segments_reference(x: torch.Tensor, y: torch.Tensor, offsets: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    out = out.clone()
    n = out.numel()
    xs, ys = (torch.cat([t, t.new_zeros(max(0, n - t.numel()))])[:n] for t in (x, y))
    for g in range(offsets.numel() - 1):
        begin, end = int(offsets[g]), min(int(offsets[g + 1]), n)
        out[begin:end] = xs[begin:end] + ys[begin:end]
    return out


@helion.kernel(static_shapes=True)
def window_sums(x: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
    """Row g sums its window x[g, starts[g]:starts[g] + 8), a range the kernel loads that may begin
    before the row (a negative start) or end past it: positions outside x read zeros (Triton would
    read before or past the tensor there)."""
    out = torch.zeros([x.size(0)], dtype=x.dtype, device=x.device)
    for g in hl.grid(x.size(0)):
        acc = hl.zeros([1], dtype=x.dtype)
        for tile in hl.tile(starts[g], starts[g] + 8, block_size=4):  # fixed: the window is 8 wide
            acc = acc + x[g, tile].sum()
        out[g] = acc.sum()
    return out


def window_sums_reference(x: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
    n = x.size(1)
    return torch.stack([x[g, max(s, 0):max(min(s + 8, n), 0)].sum() for g, s in enumerate(starts.tolist())])


@helion.kernel(static_shapes=True)
def scale_windows(x: torch.Tensor, rows: torch.Tensor, starts: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """out[rows[i], p] = 2 * x[rows[i], p] for p in each window [starts[w], starts[w] + 8): a gather
    and a scatter over a range the kernel loads, which may begin before the tensor or end past it;
    there the gather reads zeros and the scatter writes nothing."""
    for w in hl.grid(starts.size(0)):
        for tile in hl.tile(starts[w], starts[w] + 8, block_size=4):  # fixed: the window is 8 wide
            for tile_r in hl.tile(rows.size(0)):
                r = rows[tile_r]
                out[r, tile] = x[r, tile] * 2
    return out


def scale_windows_reference(x: torch.Tensor, rows: torch.Tensor, starts: torch.Tensor,
                            out: torch.Tensor) -> torch.Tensor:
    out = out.clone()
    n = x.size(1)
    for s in starts.tolist():
        cols = slice(max(s, 0), max(min(s + 8, n), 0))
        out[rows, cols] = x[rows, cols] * 2
    return out


CHECKS = [
    {"kernel": "sparse_rows_matmul", "args": ["torch.randint(0, 16, (30, 13))", "torch.randn(30, 13)", "torch.randn(16, 21)"],
     "config": {"block_sizes": [8, 8, 4]}, "ref": "sparse_rows_matmul_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "embedding", "args": ["torch.randint(0, 30, (50,))", "torch.randn(30, 70)"],
     "ref": "embedding_reference"},
    {"kernel": "embedding", "args": ["torch.randint(0, 1000, (77,), dtype=torch.int32)",
                                     "torch.randn(1000, 33, dtype=torch.bfloat16)"],
     "config": {"block_sizes": [16, 8]}, "ref": "embedding_reference"},
    {"kernel": "scaled_rows", "args": ["torch.randint(0, 30, (50,))", "torch.randn(30, 70)", "torch.randn(50)"],
     "ref": "scaled_rows_reference"},
    {"kernel": "scaled_rows", "args": ["torch.randint(0, 9, (21,))", "torch.randn(9, 19, dtype=torch.float16)",
                                       "torch.randn(21, dtype=torch.float16)"],
     "config": {"block_sizes": [8]}, "ref": "scaled_rows_reference", "rtol": 1e-3, "atol": 1e-3},
    {"kernel": "place_rows", "args": ["torch.randperm(70)[:45]", "torch.randn(45, 37)", "torch.zeros(70, 37)"],
     "ref": "place_rows_reference"},
    {"kernel": "place_rows", "args": ["torch.randperm(20, dtype=torch.int32)", "torch.randn(20, 9, dtype=torch.float16)",
                                      "torch.zeros(20, 9, dtype=torch.float16)"],
     "config": {"block_sizes": [8, 4]}, "ref": "place_rows_reference"},
    {"kernel": "copy_prefixes", "args": ["torch.randn(50, 37)", "torch.randint(0, 40, (50,))", "torch.full((50, 37), 5.0)"],
     "ref": "copy_prefixes_reference"},
    {"kernel": "copy_prefixes", "args": ["torch.randn(21, 70, dtype=torch.bfloat16)", "torch.randint(0, 70, (21,))",
                                         "torch.zeros(21, 70, dtype=torch.bfloat16)"],
     "config": {"block_sizes": [8, 16]}, "ref": "copy_prefixes_reference"},
    {"kernel": "place_positive", "args": ["torch.randperm(50)", "torch.randn(50)", "torch.full((50,), 5.0)"],
     "ref": "place_positive_reference"},
    {"kernel": "place_positive", "args": ["torch.randperm(77)", "torch.randn(77, dtype=torch.float16)",
                                          "torch.zeros(77, dtype=torch.float16)"],
     "config": {"block_sizes": [16]}, "ref": "place_positive_reference"},
    {"kernel": "edge_columns", "args": ["torch.randn(50, 7)"], "ref": "edge_columns_reference"},
    {"kernel": "edge_columns", "args": ["torch.randn(100, 3, dtype=torch.float16)"], "config": {"block_sizes": [64]},
     "ref": "edge_columns_reference"},
    {"kernel": "pick_column", "args": ["torch.randn(50, 9)", "7"], "ref": "pick_column_reference"},
    {"kernel": "pick_column", "args": ["torch.randn(77, 3, dtype=torch.bfloat16)", "1"], "config": {"block_sizes": [16]},
     "ref": "pick_column_reference"},
    {"kernel": "add_column", "args": ["torch.randn(64, 64)", "5"], "config": {"block_sizes": [16, 16]},
     "ref": "add_column_reference"},
    {"kernel": "add_column", "args": ["torch.randn(37, 21, dtype=torch.float16)", "20"],
     "config": {"block_sizes": [16, 8]}, "ref": "add_column_reference"},
    {"kernel": "add_next_first", "args": ["torch.randn(100)"], "ref": "add_next_first_reference"},
    {"kernel": "add_next_first", "args": ["torch.randn(64, dtype=torch.float16)"], "ref": "add_next_first_reference"},
    # A negative int-argument column counts from the end, as torch's x[:, -2] does.
    {"kernel": "pick_column", "args": ["torch.randn(50, 9)", "-2"], "ref": "pick_column_reference"},
    {"kernel": "add_column", "args": ["torch.randn(37, 21, dtype=torch.float16)", "-21"],
     "config": {"block_sizes": [16, 8]}, "ref": "add_column_reference"},
    # Windows starting before the row, inside it, and reaching past its end.
    {"kernel": "window_sums", "args": ["torch.randn(4, 12)", "torch.tensor([-3, 2, 9, -8])"],
     "ref": "window_sums_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "scale_windows", "args": ["torch.randn(3, 12)", "torch.tensor([2, 0])", "torch.tensor([-5, 7])",
                                         "torch.zeros(3, 12)"], "config": {"block_sizes": [2]},
     "ref": "scale_windows_reference"},
    {"kernel": "add_segments", "args": ["torch.randn(100)", "torch.randn(60)", "torch.tensor([0, 30, 30, 100])",
                                        "torch.zeros(80)"], "config": {"block_sizes": [16]},
     "ref": "add_segments_reference"},
    {"kernel": "middle_columns", "args": ["torch.randn(50, 9)"], "ref": "middle_columns_reference"},
    {"kernel": "middle_columns", "args": ["torch.randn(45, 8, dtype=torch.bfloat16)"],
     "config": {"block_sizes": [16]}, "ref": "middle_columns_reference"},
    {"kernel": "group_blocks", "args": ["torch.randn(30, 6)", "torch.tensor([0, 3, 14, 14, 30], dtype=torch.int32)"],
     "ref": "group_blocks_reference"},
    {"kernel": "gather_rows", "args": ["torch.randn(13, 21)", "torch.randint(0, 13, (10, 21))"],
     "config": {"block_sizes": [4, 8]}, "ref": "gather_rows_reference", "modes": ["symbolic"]},
    {"kernel": "gather_columns", "args": ["torch.randn(19, 7, dtype=torch.float16)",
                                          "torch.randint(0, 7, (19, 5), dtype=torch.int32)"],
     "config": {"block_sizes": [8]}, "ref": "gather_columns_reference"},
]
