"""Shared by the Python tests: the repository root as working directory, kernels loaded once, and
torch's thread count set for one test."""

import functools
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The example suite's case discovery is a development tool in scripts/, outside the runtime packages.
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    # Captures write source paths relative to the working directory, as the committed fixtures do.
    monkeypatch.chdir(ROOT)


@functools.cache
def _load(entry: str):
    from helion2json.cli import load_entry

    return load_entry(entry)[0]


@pytest.fixture
def load_kernel():
    """FILE.py:function -> the kernel, loaded once per session so Helion's bind cache is reused."""
    return _load


@pytest.fixture
def torch_threads():
    """torch.set_num_threads for the test (call it with the count); the count is restored after."""
    import torch

    previous = torch.get_num_threads()
    yield torch.set_num_threads
    torch.set_num_threads(previous)
