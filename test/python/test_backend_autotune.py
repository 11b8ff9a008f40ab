"""Helion's own autotuner on the CPU under backend "mlir": wall-clock timing on our JIT, no
precompile subprocesses, a config space of the keys the lowering reads, and a CPU autotune cache."""

from __future__ import annotations

import torch

import helion
import helion.language as hl

from helion_mlir import _helion
from helion_mlir.backend import CONFIG_KEYS


def _row_sums():
    @helion.kernel(backend="mlir", autotune_effort="quick", autotune_max_generations=1,
                   autotune_progress_bar=False)
    def row_sums(x: torch.Tensor) -> torch.Tensor:
        m, _ = x.size()
        out = torch.empty([m], dtype=x.dtype)
        for tile in hl.tile(m):
            out[tile] = x[tile, :].sum(-1)
        return out

    return row_sums


def test_the_config_space_is_the_keys_the_lowering_reads():
    bound = _row_sums().bind((torch.randn(64, 40),))
    assert set(bound.config_spec.default_config()) <= CONFIG_KEYS
    assert CONFIG_KEYS == {"block_sizes", "reduction_loops"}


def test_a_quick_autotune_runs_and_its_result_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("HELION_CACHE_DIR", str(tmp_path))
    # Final verification would time each finalist some thousand times.
    monkeypatch.setenv("HELION_CAP_REBENCHMARK_REPEAT", "20")
    x = torch.randn(64, 40)
    row_sums = _row_sums()
    torch.testing.assert_close(row_sums(x), x.sum(-1), rtol=1e-5, atol=1e-5)
    config = row_sums.bind((x,))._config
    assert set(config) <= CONFIG_KEYS
    assert len(list(tmp_path.glob("*.best_config"))) == 1

    # A fresh kernel object with the same source finds the cached config and times nothing.
    def no_timing(*args, **kwargs):
        raise AssertionError("the cached config was not used: the autotuner timed candidates")

    monkeypatch.setattr(_helion, "do_bench_generic", no_timing)
    monkeypatch.setattr(_helion, "interleaved_bench_generic", no_timing)
    again = _row_sums()
    torch.testing.assert_close(again(x), x.sum(-1), rtol=1e-5, atol=1e-5)
    assert again.bind((x,))._config == config


def test_pid_type_is_a_key_only_where_helion_requires_a_persistent_one():
    """A kernel with hl.barrier() (examples/barrier.py) must have a persistent pid_type, which
    changes nothing in the module; other kernels have no pid_type to tune. The autotuner times the
    first allowed one only."""
    from examples_suite.cases import REPO
    from helion2json.cli import load_entry
    from helion_mlir.backend import MlirBackend

    backend = MlirBackend()
    phased, _ = load_entry(f"{REPO}/examples/barrier.py:row_sums_in_two_phases")
    bound = phased.bind((torch.randn(100, 77),))
    with bound.env:
        config = bound.config_spec.default_config()
    assert config["pid_type"] == "persistent_blocked"
    assert backend.autotune_config_is_viable(bound.config_spec, helion.Config(pid_type="persistent_blocked"))
    assert not backend.autotune_config_is_viable(bound.config_spec,
                                                 helion.Config(pid_type="persistent_interleaved"))
    plain = _row_sums().bind((torch.randn(64, 40),))
    with plain.env:
        assert "pid_type" not in plain.config_spec.default_config()
    assert backend.autotune_config_is_viable(plain.config_spec, helion.Config(block_sizes=[16]))
