"""Calls of the flat C API from several threads at once (lib/capi/CAPI.c): the first holds the
shared MLIR context, a call made meanwhile lowers in a context of its own and destroys it after.
ctypes releases the GIL during a call, so Python threads do overlap in the library."""

from __future__ import annotations

import json
import pathlib
import threading

from helion_mlir.kernel import generate_spec_mlir

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_concurrent_lowerings_each_get_the_same_module():
    spec = json.loads((ROOT / "test" / "fixtures" / "attention.json").read_text())
    want = generate_spec_mlir(spec)
    results: list[str] = []
    errors: list[BaseException] = []

    def lower() -> None:
        try:
            for _ in range(10):
                results.append(generate_spec_mlir(spec))
        except BaseException as e:  # noqa: BLE001 (reported by the test below)
            errors.append(e)

    threads = [threading.Thread(target=lower) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [want] * 40
