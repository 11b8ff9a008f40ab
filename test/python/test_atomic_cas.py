"""hl.atomic_cas under contention: the tile grid runs on several threads, every tile tries to claim
every slot, and exactly one claim of each slot may succeed (examples/atomics.py claim_slots)."""

import importlib.util
import pathlib

import torch

import helion
import helion_mlir

_EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "atomics.py"
_spec = importlib.util.spec_from_file_location("atomics_examples", _EXAMPLES)
atomics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(atomics)


def test_each_slot_is_claimed_once():
    torch.set_num_threads(max(2, torch.get_num_threads()))
    block, ntiles, nslots = 4, 64, 50
    slots = torch.zeros(nslots, dtype=torch.int32)
    wins = helion_mlir.run(atomics.claim_slots, [slots, torch.zeros(block * ntiles), torch.zeros(ntiles, dtype=torch.int32)],
                           config=helion.Config(block_sizes=[block]))
    assert bool(((slots >= 1) & (slots <= ntiles)).all()), slots
    torch.testing.assert_close(wins, torch.bincount(slots.long() - 1, minlength=ntiles).to(torch.int32))
