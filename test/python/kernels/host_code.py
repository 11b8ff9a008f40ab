"""Kernels whose host code does the things Helion's own examples do around the device loops, for
test_backend.py: each runs as kernel(*args) under backend "mlir"."""

import torch

import helion
import helion.language as hl
import helion_mlir  # noqa: F401  (registers backend "mlir" before the decorators read it)

MLIR = dict(backend="mlir", autotune_effort="none", static_shapes=True)


@helion.kernel(**MLIR)
def scale_flat(x: torch.Tensor) -> torch.Tensor:
    """A view on the host, and a return that views the result back."""
    x_flat = x.view(-1)
    out = torch.empty_like(x_flat)
    for tile in hl.tile(x_flat.size(0)):
        out[tile] = x_flat[tile] * 2.0
    return out.view(x.size())


@helion.kernel(**MLIR)
def add_broadcast(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """torch.broadcast_tensors reassigns both arguments."""
    x, y = torch.broadcast_tensors(x, y)
    out = torch.empty(x.shape, dtype=x.dtype)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out


@helion.kernel(**MLIR)
def row_sums_mean(x: torch.Tensor) -> torch.Tensor:
    """A torch op on the device loop's result as the return expression."""
    m, _ = x.size()
    sums = torch.empty([m], dtype=x.dtype)
    for tile in hl.tile(m):
        sums[tile] = x[tile, :].sum(-1)
    return sums.mean()


@helion.kernel(**MLIR)
def weighted_column_sums(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """A reassigned argument, an assert, and a reduction and a cast after the loop."""
    assert x.size() == w.size(), "x and w differ"
    x = x * 2
    prod = torch.zeros_like(x)
    for tile in hl.tile(x.size()):
        prod[tile] = x[tile] * w[tile]
    return prod.sum(0).to(torch.float64)


@helion.kernel(**MLIR)
def plus_one_and_none(x: torch.Tensor) -> tuple[torch.Tensor, None]:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] + 1
    return out, None


@helion.kernel(**MLIR)
def axpy(x: torch.Tensor, y: torch.Tensor, a: float) -> torch.Tensor:
    """A scalar argument: one compiled module for every value."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = a * x[tile] + y[tile]
    return out


@helion.kernel(**MLIR)
def add_into(x: torch.Tensor, out: torch.Tensor) -> None:
    """Writes an argument in place and returns nothing."""
    for tile in hl.tile(x.size()):
        out[tile] = out[tile] + x[tile]


@helion.kernel(**MLIR)
def add_tiles_of_x(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Tiles x's shape and reads y with the same tiles, without checking y's shape."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] + y[tile]
    return out


@helion.kernel(backend="mlir", autotune_effort="none", static_shapes=False)
def add_dynamic(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """static_shapes=False: one module for all sizes but 0 and 1."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] + y[tile]
    return out


@helion.kernel(backend="mlir", autotune_effort="none", static_shapes=False)
def add_row_stride(x: torch.Tensor) -> torch.Tensor:
    """x.stride(0), which static_shapes=False leaves a symbol no tensor size is: a launch argument."""
    stride = x.stride(0)
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] + stride
    return out


@helion.kernel(backend="mlir", autotune_effort="none", static_shapes=False)
def add_sizes_of_other(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """The assert unifies w.size(1) with x.size(0), so the tiles cover x; w.size(0), a size of a
    tensor the device code does not read, is a launch argument."""
    assert x.size(0) == w.size(1)
    out = torch.empty_like(x)
    for tile in hl.tile((w.size(1), x.size(1))):
        out[tile] = x[tile] + w.size(0)
    return out


@helion.kernel(**MLIR)
def scale_into(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """Writes `out`, whatever its layout, and returns it."""
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] * 3.0
    return out


@helion.kernel(backend="mlir", autotune_effort="none", static_shapes=False)
def scale_into_dynamic(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] * 3.0
    return out


@helion.kernel(**MLIR)
def tile_counts(n: int, device: torch.device) -> torch.Tensor:
    """A tensor sized by an int argument, and the number of tiles stored in each element."""
    out = torch.zeros([n], dtype=torch.int32, device=device)
    for tile in hl.tile(n, block_size=16):
        out[tile] = tile.count
    return out


@helion.kernel(**MLIR)
def blocked_column_sums(x: torch.Tensor) -> torch.Tensor:
    """Column sums through one partial row per block of rows: a host tensor sized by the block size,
    and an inner loop over each outer tile's rows."""
    m_block = hl.register_block_size(x.size(0))
    n = hl.specialize(x.size(1))
    partial = x.new_empty([(x.size(0) + m_block - 1) // m_block, n])
    for outer in hl.tile(x.size(0), block_size=m_block):
        acc = hl.zeros([n], dtype=x.dtype)
        for inner in hl.tile(outer.begin, outer.end):
            acc += x[inner, :].sum(0)
        partial[outer.id, :] = acc
    return partial.sum(0)


@helion.kernel(**MLIR)
def shift_by_pair(pair: tuple[torch.Tensor, int], shift: torch.Tensor) -> torch.Tensor:
    """x + k + shift.item(): an int from a tuple argument and a float the host code computes."""
    x, k = pair
    s = shift.item()
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + k + s
    return out


@helion.kernel(**MLIR)
def scatter_columns(dy: torch.Tensor, indices: torch.Tensor, shape: list[int]) -> torch.Tensor:
    """dx[i, indices[i, j]] = dy[i, j] into zeros of a shape given as a list: the host tensor's sizes
    are unbacked, and the row and column index tensors broadcast together."""
    dx = dy.new_zeros(*shape)
    dx = dx.reshape(-1, dx.shape[-1])
    for tile_m in hl.tile(dy.shape[0]):
        dx[tile_m.index[:, None], indices[tile_m, :]] = dy[tile_m, :]
    return dx.view(shape)


@helion.kernel(**MLIR)
def keep_scaled(x: torch.Tensor, p: float) -> torch.Tensor:
    """A scalar the host code computes from a float argument (dropout's 1 / (1 - p)): the launcher
    passes its value, and the device code reads it by its expression."""
    scale = 1.0 / (1.0 - p)
    shifted = p - 0.5
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] * scale + shifted
    return out


@helion.kernel(**MLIR)
def dropout_and_noise(x: torch.Tensor, p: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """hl.rand with a seed argument (dropout), and torch.rand_like, whose seed Helion's host code
    draws from torch's generator."""
    kept = torch.empty_like(x)
    noise = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        keep = hl.rand([tile[0], tile[1]], seed=seed) > p
        kept[tile] = torch.where(keep, x[tile], 0.0)
        noise[tile] = torch.rand_like(x[tile])
    return kept, noise


@helion.kernel(**MLIR)
def row_prefix_sums(x: torch.Tensor, n: int) -> torch.Tensor:
    """Each row's sum of its first n elements: an inner loop up to an int argument."""
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        acc = hl.zeros([tile_m], dtype=x.dtype)
        for tile_k in hl.tile(n):
            acc += x[tile_m, tile_k].sum(-1)
        out[tile_m] = acc
    return out


@helion.kernel(backend="mlir", config=helion.Config(block_sizes=[]), static_shapes=True)
def scaled_by_block(x: torch.Tensor, block: int) -> torch.Tensor:
    """Tiles as wide as an int argument (hl.tile(n, block_size=block)), each element plus its tile's
    width: Helion passes the width to Triton as a constexpr, one compile per value."""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=block):
        out[tile] = x[tile] * 2 + tile.block_size
    return out


@helion.kernel(**MLIR)
def strided_row_phases(x: torch.Tensor, period: torch.Tensor) -> torch.Tensor:
    """A persistent kernel as Helion's grouped GEMM example writes one: helion.runtime.get_num_sm
    workers (a CPU answers torch's thread count), each taking every num_workers-th row; row r is
    scaled by r % period[0], an int modulo a tensor (aten.remainder.Scalar_Tensor)."""
    num_workers = helion.runtime.get_num_sm(x.device)
    m, _ = x.size()
    out = torch.zeros_like(x)
    for worker in hl.grid(num_workers):
        for local in hl.grid((m + num_workers - 1) // num_workers):
            row = local * num_workers + worker
            if row < m:
                out[row, :] = x[row, :] * (row % period[0])
    return out


@helion.kernel(backend="mlir", autotune_effort="none", static_shapes=False)
def double_sequences(x: torch.Tensor, starts: torch.Tensor, num_seqs: int, out: torch.Tensor) -> None:
    """Rows [starts[g], starts[g + 1]) of x into out, doubled, for each of num_seqs sequences: a grid
    over an int argument (hl.tile(num_seqs, block_size=1)) that Helion's device function does not take
    (Triton launches num_seqs programs), around a loop whose bounds are loaded."""
    for seq_tile in hl.tile(num_seqs, block_size=1):
        g = seq_tile.begin
        for tile_r in hl.tile(starts[g], starts[g + 1]):
            out[tile_r, :] = x[tile_r, :] * 2
