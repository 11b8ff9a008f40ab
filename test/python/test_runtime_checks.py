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
