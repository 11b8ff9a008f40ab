"""HELION_MLIR_CHECKS=1 compiles kernels with MLIR's generate-runtime-verification: an access outside
a buffer inside the kernel reports the op and its kernel source location and aborts instead of
reading or writing there. The kernel
here indexes a 3-element bias with tiles over 5000 columns, compiled straight from its spec, so that
helion_mlir.run's own launch check (test_run_extents.py) does not stop it first."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = r"""
import torch, helion, helion_mlir
from helion2json import export_kernel
from kernels.bias import add_bias_kernel

add_bias = add_bias_kernel(static_shapes=True)

def run(columns, bias_size):
    x, bias = torch.randn(2, columns), torch.randn(bias_size)
    spec = export_kernel(add_bias, [x, bias], helion.Config(block_sizes=[1, 64]))
    out = torch.empty_like(x)
    helion_mlir.compile_spec(spec)(x, bias, out)
    return torch.equal(out, x + bias)

print("in bounds:", run(300, 300), flush=True)
run(5000, 3)
print("out of bounds: not caught", flush=True)
"""


def test_an_out_of_bounds_access_reports_and_aborts():
    path = os.pathsep.join([str(ROOT / "python"), str(ROOT / "test" / "python")])
    env = {**os.environ, "PYTHONPATH": path, "HELION_MLIR_CHECKS": "1"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    report = proc.stdout + proc.stderr  # MLIR's check prints with printf, to stdout
    assert "in bounds: True" in proc.stdout, report
    assert "not caught" not in proc.stdout
    assert proc.returncode != 0
    assert "ERROR: Runtime op verification failed" in report, report[-2000:]
    assert "subview runs out-of-bounds along dimension 0" in report, report[-2000:]
    assert 'Location: loc("load_1"(' in report, report[-2000:]  # the kernel's load of the bias


INSIDE = r"""
import sys
import torch, helion, helion_mlir
sys.path.insert(0, "examples")
import atomics
import gather

torch.manual_seed(0)
x = torch.randn(100)
print("next first:", torch.equal(helion_mlir.run(gather.add_next_first, [x]), gather.add_next_first_reference(x)))
y, offsets, out = torch.randn(60), torch.tensor([0, 30, 30, 100]), torch.zeros(80)
got = helion_mlir.run(gather.add_segments, [x, y, offsets, out.clone()], helion.Config(block_sizes=[16]))
print("segments:", torch.equal(got, gather.add_segments_reference(x, y, offsets, out)))
m = torch.randn(32, 48)
got = helion_mlir.run(gather.add_column, [m, 48], helion.Config(block_sizes=[16, 16]))
print("column past the end:", torch.equal(got, m))
marks = torch.zeros(100)
got = helion_mlir.run(atomics.mark_ahead, [x, marks.clone()])
print("marks ahead:", torch.allclose(got, atomics.mark_ahead_reference(x, marks), atol=1e-5))
w, starts = torch.randn(4, 12), torch.tensor([-3, 2, 9, -8])
got = helion_mlir.run(gather.window_sums, [w, starts])
print("windows:", torch.allclose(got, gather.window_sums_reference(w, starts), atol=1e-5))
rows, starts, out = torch.tensor([2, 0]), torch.tensor([-5, 7]), torch.zeros(3, 12)
got = helion_mlir.run(gather.scale_windows, [w[:3].contiguous(), rows, starts, out.clone()], helion.Config(block_sizes=[2]))
print("scaled windows:", torch.equal(got, gather.scale_windows_reference(w[:3], rows, starts, out)))
print("column from the end:", torch.equal(helion_mlir.run(gather.pick_column, [m, -48]), m[:, 0]))
"""


def test_positions_and_ranges_no_launch_check_sees_stay_inside():
    """x[tile.end] past x's end, a loop over segments the kernel loads that reach past y and out, a
    column index past the last column, atomics at tile.begin + 20, loops over windows the kernel loads
    that begin before a row (a load, a gather and a scatter) and a negative column counted from the
    end: under the runtime verification
    every access stays inside its buffer (the reads there give zeros, the writes are skipped), matching
    the references."""
    path = os.pathsep.join([str(ROOT / "python"), str(ROOT / "test" / "python")])
    env = {**os.environ, "PYTHONPATH": path, "HELION_MLIR_CHECKS": "1"}
    proc = subprocess.run([sys.executable, "-c", INSIDE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report[-2000:]
    for line in ("next first: True", "segments: True", "column past the end: True", "marks ahead: True",
                 "windows: True", "scaled windows: True", "column from the end: True"):
        assert line in proc.stdout, report[-2000:]
