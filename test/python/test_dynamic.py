"""Dynamic shapes: a kernel bound with static_shapes=False lowers once, with `?` sizes, and the one
compiled module runs at other sizes (examples/dynamic.py)."""

import pytest
import torch

from helion2json import export_kernel
from helion_mlir import api, compile_spec
from helion_mlir.kernel import generate_spec_mlir

SIZES = [(100, 77), (5, 3), (257, 130)]


def test_one_module_runs_at_several_sizes(load_kernel):
    kernel = load_kernel("examples/dynamic.py:scale_shift")
    spec = export_kernel(kernel, [torch.randn(100, 77), torch.randn(77)])
    assert not spec["kernel"]["static_shapes"]
    assert "memref<?x?xf32, strided<[?, ?]>>" in generate_spec_mlir(spec)
    compiled = compile_spec(spec)
    for m, n in SIZES:
        x, shift, out = torch.randn(m, n), torch.randn(n), torch.full((m, n), float("nan"))
        compiled(x, shift, out)
        torch.testing.assert_close(out, x * 2.0 + shift)


def test_matmul_module_runs_at_several_sizes(load_kernel):
    kernel = load_kernel("examples/dynamic.py:matmul_dyn")
    compiled = compile_spec(export_kernel(kernel, [torch.randn(100, 70), torch.randn(70, 50)]))
    for m, k, n in [(100, 70, 50), (3, 129, 17), (64, 16, 96)]:
        x, y, out = torch.randn(m, k), torch.randn(k, n), torch.empty(m, n)
        compiled(x, y, out)
        torch.testing.assert_close(out, x @ y, rtol=1e-4, atol=1e-4)


def test_bf16_matmul_module_runs_at_several_sizes(load_kernel):
    """bf16 tiles packed from host tensors of dynamic strides are filled element by element, which
    x86 without AVX512-BF16 (AVX2 machines) rounds through __truncsfbf2: the module must link and
    compute there too (lib/run/SoftFloat.c; test/lit/run/bf16-vectors.mlir)."""
    kernel = load_kernel("examples/dynamic.py:matmul_dyn")
    bf16 = torch.bfloat16
    compiled = compile_spec(export_kernel(kernel, [torch.randn(100, 70, dtype=bf16), torch.randn(70, 50, dtype=bf16)]))
    for m, k, n in [(100, 70, 50), (3, 129, 17)]:
        x, y, out = torch.randn(m, k, dtype=bf16), torch.randn(k, n, dtype=bf16), torch.empty(m, n, dtype=bf16)
        compiled(x, y, out)
        torch.testing.assert_close(out, (x.double() @ y.double()).to(bf16), rtol=1e-2, atol=1e-2)


def test_jagged_module_runs_on_every_batch(load_kernel):
    """One module for batches of other row counts, lengths and widths: the row bounds are loaded."""
    kernel = load_kernel("examples/dynamic.py:jagged_sum_dyn")
    compiled = compile_spec(export_kernel(kernel, [torch.randn(100, 37), torch.tensor([0, 5, 5, 40, 77, 100])]))
    for lengths, width in [([5, 0, 35, 37, 23], 37), ([1, 70], 3), ([0, 0, 129, 2, 2, 64, 9], 40)]:
        offsets = torch.tensor([0] + lengths).cumsum(0)
        values = torch.randn(int(offsets[-1]), width)
        out = torch.empty(len(lengths), width)
        compiled(values, offsets, out)
        expected = torch.stack([values[offsets[i]:offsets[i + 1]].sum(0) for i in range(len(lengths))])
        torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_a_size_one_dimension_broadcasts_at_every_size(load_kernel):
    """scale's dimension 0 is settled to 1 at capture; the one module broadcasts it over rows of
    every size (tiles past the first row would otherwise read past scale's one row)."""
    kernel = load_kernel("examples/dynamic.py:scale_shift_rows")
    spec = export_kernel(kernel, [torch.randn(100, 77), torch.randn(1, 77)])
    assert "memref<1x?xf32" in generate_spec_mlir(spec)
    compiled = compile_spec(spec)
    for m, n in SIZES:
        x, scale, out = torch.randn(m, n), torch.randn(1, n), torch.full((m, n), float("nan"))
        compiled(x, scale, out)
        torch.testing.assert_close(out, x * scale)


def _entries(kernel) -> list:
    return [c for key, c in api._cache.items() if key[0] is kernel]


@pytest.mark.parametrize("name, make, reference", [
    ("scale_shift", lambda m, n: [torch.randn(m, n), torch.randn(n)], lambda x, s: x * 2.0 + s),
    # A gather clamps its indices to the table's run-time size.
    ("embedding_dyn", lambda m, n: [torch.randint(0, m, (n,)), torch.randn(m, 7)], lambda ids, t: t[ids]),
    # One tile covers each row, as wide as the row is at run time (not the example's power of two).
    ("row_norm", lambda m, n: [torch.randn(m, n)], lambda x: torch.linalg.vector_norm(x, dim=1)),
])
def test_run_compiles_once_for_every_size(load_kernel, name, make, reference):
    kernel = load_kernel(f"examples/dynamic.py:{name}")
    for m, n in SIZES:
        args = make(m, n)
        torch.testing.assert_close(api.run(kernel, args), reference(*args), rtol=1e-5, atol=1e-5)
    assert len(_entries(kernel)) == 1


def test_a_dimension_settled_to_one_does_not_bind_other_sizes(load_kernel):
    """Capturing at a size-1 dimension settles it to 1 (as Helion's codegen does) and keys Helion's
    bound kernel on that guard: the next capture at another size gets a bound kernel of its own, not
    the one whose size was replaced by 1."""
    kernel = load_kernel("examples/dynamic.py:jagged_sum_dyn")
    for rows in [1, 13]:
        values, offsets = torch.randn(rows, 5), torch.tensor([0, rows])
        spec = export_kernel(kernel, [values, offsets])
        assert (spec["host_tensors"][0]["shape"][0] == 1) == (rows == 1)
        torch.testing.assert_close(api.run(kernel, [values, offsets]), values.sum(0, keepdim=True))
