"""Atomic updates of host tensors from the tile grid: hl.atomic_add into one element (a global sum), hl.atomic_max
into a row of column maxima (each from the host code's fill value), a scatter, and the old values returned."""

import torch

import helion
import helion.language as hl
from helion.autotuner import PowerOfTwoFragment


@helion.kernel(static_shapes=True)
def global_sum(x: torch.Tensor) -> torch.Tensor:
    (n,) = x.size()
    result = torch.zeros([1], dtype=torch.float32, device=x.device)
    for tile in hl.tile(n):
        hl.atomic_add(result, [0], x[tile].sum())
    return result


@helion.kernel(static_shapes=True)
def column_max(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    result = torch.full([n], float("-inf"), dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        hl.atomic_max(result, [tile_n], torch.amax(x[tile_m, tile_n], 0))
    return result


@helion.kernel(static_shapes=True)
def histogram_with_previous(
    ids: torch.Tensor, weights: torch.Tensor, bins: torch.Tensor, peaks: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A scatter through an index tensor (ids, some outside bins, which are skipped), and the old values
    hl.atomic_max returns, read by the kernel."""
    prev = torch.empty_like(weights)
    for tile in hl.tile(ids.size(0)):
        hl.atomic_add(bins, [ids[tile]], weights[tile])
        prev[tile] = hl.atomic_max(peaks, [tile], weights[tile]) * 2.0
    return bins, peaks, prev


def histogram_with_previous_reference(ids: torch.Tensor, weights: torch.Tensor, bins: torch.Tensor,
                                      peaks: torch.Tensor):
    inside = (ids >= 0) & (ids < bins.size(0))
    out = bins.clone().index_add_(0, ids[inside], weights[inside])
    return out, torch.maximum(peaks, weights), peaks * 2.0


@helion.kernel(static_shapes=True)
def tile_extents(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """hl.atomic_add of index values (Python ints): the tiles' extents, tile.end - tile.begin, add up
    to x's length, and every element of a tile gets its tile's begin (tiles of 16, which the config
    sweep must not change: the begins depend on it)."""
    total = torch.zeros(1, dtype=torch.int64, device=x.device)
    begins = torch.zeros_like(x)
    for tile in hl.tile(x.size(0), block_size=16):
        hl.atomic_add(total, [0], tile.end - tile.begin)
        hl.atomic_add(begins, [tile], tile.begin)
    return total, begins


def tile_extents_reference_16(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor([x.size(0)]), (torch.arange(x.size(0)) // 16 * 16).to(x.dtype)


@helion.kernel(static_shapes=True)
def swap_where_equal(x: torch.Tensor, expected: torch.Tensor, value: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """hl.atomic_cas: each element of x that equals `expected` becomes `value`; the old elements are
    returned too."""
    old = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        old[tile] = hl.atomic_cas(x, [tile], expected[tile], value[tile])
    return x, old


def swap_where_equal_reference(x: torch.Tensor, expected: torch.Tensor, value: torch.Tensor):
    return torch.where(x == expected, value, x), x.clone()


@helion.kernel(static_shapes=True)
def claim_slots(slots: torch.Tensor, x: torch.Tensor, wins: torch.Tensor) -> torch.Tensor:
    """Every tile of x tries to claim each of the slots (0 = free) with its id + 1, and counts its
    wins: exactly one claim of each slot succeeds, whichever tile runs first, and the tiles'
    compare-and-swaps race."""
    for tile in hl.tile(x.size(0)):
        for s in hl.grid(slots.size(0)):
            before = hl.atomic_cas(slots, [s], 0, tile.id + 1)
            hl.atomic_add(wins, [tile.id], (before == 0).to(wins.dtype))
    return wins


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py); the reference is Helion's interpreter.
@helion.kernel(static_shapes=True)
def split_column_sums(x: torch.Tensor) -> torch.Tensor:
    """Column sums of `split` row chunks each, added atomically: the chunks' block size is computed
    from a tunable (next_power_of_2(cdiv(m, split)), as Helion's matmul_split_k sizes its K chunks)."""
    m, n = x.size()
    split = hl.register_tunable("split", PowerOfTwoFragment(1, 64, 4))
    chunk = helion.next_power_of_2(helion.cdiv(m, split))
    out = torch.zeros([n], dtype=torch.float32, device=x.device)
    for tile_n, outer in hl.tile([n, m], block_size=[None, chunk]):
        acc = hl.zeros([tile_n], dtype=torch.float32)
        for inner in hl.tile(outer.begin, outer.end):
            acc += x[inner, tile_n].sum(0)
        hl.atomic_add(out, [tile_n], acc)
    return out


def split_column_sums_reference(x: torch.Tensor) -> torch.Tensor:
    return x.sum(0, dtype=torch.float32)


@helion.kernel(static_shapes=True)
def mark_ahead(x: torch.Tensor, marks: torch.Tensor) -> torch.Tensor:
    """marks[tile.begin + 20] += the tile's sum: a position the kernel computes, past the end of marks
    for the last tiles, where the update is skipped (Triton's atomic would write past it)."""
    for tile in hl.tile(x.size(0), block_size=16):  # fixed: the positions depend on it
        hl.atomic_add(marks, [tile.begin + 20], x[tile].sum())
    return marks


def mark_ahead_reference(x: torch.Tensor, marks: torch.Tensor) -> torch.Tensor:
    marks = marks.clone()
    for begin in range(0, x.size(0), 16):
        if begin + 20 < marks.size(0):
            marks[begin + 20] += x[begin:begin + 16].sum()
    return marks


@helion.kernel(static_shapes=True)
def add_at(x: torch.Tensor, totals: torch.Tensor, at: int) -> torch.Tensor:
    """totals[at] += each tile's sum: an int-argument position, negative ones counted from the end as
    torch's indexing does; one outside totals is skipped."""
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(totals, [at], x[tile].sum())
    return totals


def add_at_reference(x: torch.Tensor, totals: torch.Tensor, at: int) -> torch.Tensor:
    totals = totals.clone()
    if -totals.size(0) <= at < totals.size(0):
        totals[at] += x.sum()
    return totals


@helion.kernel(static_shapes=True)
def swap_in(x: torch.Tensor, values: torch.Tensor, counts: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The old values hl.atomic_xchg and hl.atomic_add return (memref.atomic_rmw's result): x's
    elements before values replace them, and counts' before each gains 1; then x and counts."""
    old = torch.empty_like(x)
    seen = torch.empty_like(counts)
    for tile in hl.tile(x.size(0)):
        old[tile] = hl.atomic_xchg(x, [tile], values[tile])
        seen[tile] = hl.atomic_add(counts, [tile], 1)
    return old, seen, x, counts


def swap_in_reference(x: torch.Tensor, values: torch.Tensor, counts: torch.Tensor) -> tuple[torch.Tensor, ...]:
    return x.clone(), counts.clone(), values.clone(), counts + 1


CHECKS = [
    {"kernel": "swap_in", "args": ["torch.randint(-9, 9, (77,), dtype=torch.int32)",
                                   "torch.randint(-9, 9, (77,), dtype=torch.int32)", "torch.arange(77)"],
     "config": {"block_sizes": [16]}, "ref": "swap_in_reference"},
    {"kernel": "add_at", "args": ["torch.randn(100)", "torch.zeros(5)", "-2"], "config": {"block_sizes": [16]},
     "ref": "add_at_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "add_at", "args": ["torch.randn(100)", "torch.zeros(5)", "-6"], "config": {"block_sizes": [16]},
     "ref": "add_at_reference", "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "global_sum", "args": ["torch.randn(1000)"], "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "global_sum", "args": ["torch.randn(77)"], "config": {"block_sizes": [16]}, "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "column_max", "args": ["torch.randn(100, 77)"]},
    {"kernel": "column_max", "args": ["torch.randn(100, 77)"], "config": {"block_sizes": [32, 16]}},
    # Positions -3..12 into 10 bins: the ones outside are skipped; repeated ones add up.
    {"kernel": "histogram_with_previous", "args": ["torch.randint(-3, 13, (300,))", "torch.rand(300)",
                                                   "torch.zeros(10)", "torch.rand(300)"],
     "config": {"block_sizes": [32]}, "ref": "histogram_with_previous_reference", "rtol": 1e-5, "atol": 1e-5,
     "modes": ["symbolic"]},
    {"kernel": "split_column_sums", "args": ["torch.randn(100, 37)"], "config": {"block_sizes": [16, 8], "split": 8},
     "ref": "split_column_sums_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "mark_ahead", "args": ["torch.randn(100)", "torch.zeros(100)"], "ref": "mark_ahead_reference",
     "rtol": 1e-5, "atol": 1e-5},
    {"kernel": "split_column_sums", "args": ["torch.randn(50, 9)"], "config": {"block_sizes": [8, 4], "split": 2},
     "ref": "split_column_sums_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "swap_where_equal", "args": ["torch.randint(0, 3, (77,), dtype=torch.int32)",
                                            "torch.randint(0, 3, (77,), dtype=torch.int32)",
                                            "torch.randint(5, 9, (77,), dtype=torch.int32)"],
     "config": {"block_sizes": [16]}, "ref": "swap_where_equal_reference"},
    {"kernel": "swap_where_equal", "args": ["torch.randint(0, 3, (45,)).float()", "torch.randint(0, 3, (45,)).float()",
                                            "torch.randn(45)"], "ref": "swap_where_equal_reference"},
    {"kernel": "tile_extents", "args": ["torch.randn(77)"], "ref": "tile_extents_reference_16"},
]
