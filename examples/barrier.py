"""hl.barrier(): a kernel in phases, each phase's grid finished before the next starts. Helion
requires a persistent pid_type for it; the module runs the phases' grids one after the other."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def row_sums_in_two_phases(x: torch.Tensor) -> torch.Tensor:
    """Partial sums of column chunks into a workspace, then each row's partials summed: a row's
    partials are written by several tiles of the first phase."""
    m, n = x.size()
    chunks = 4
    block_n = helion.next_power_of_2(helion.cdiv(n, chunks))
    partial = torch.zeros([m, chunks], dtype=torch.float32, device=x.device)
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n], block_size=[None, block_n]):
        partial[tile_m, tile_n.id] = x[tile_m, tile_n].to(torch.float32).sum(-1)
    hl.barrier()
    for tile_m in hl.tile(m):
        out[tile_m] = partial[tile_m, :].sum(-1)
    return out


def row_sums_reference(x: torch.Tensor) -> torch.Tensor:
    return x.float().sum(-1)


CHECKS = [
    {"kernel": "row_sums_in_two_phases", "args": ["torch.randn(100, 77)"], "ref": "row_sums_reference",
     "config": {"block_sizes": [16, 16], "pid_type": "persistent_blocked"}},
    {"kernel": "row_sums_in_two_phases", "args": ["torch.randn(37, 300)"], "ref": "row_sums_reference",
     "config": {"block_sizes": [8, 32], "pid_type": "persistent_blocked"}, "rtol": 1e-4, "atol": 1e-4},
]
