#!/usr/bin/env bash
# The main job on the default kernel (examples/matmul.py, 100x70 @ 70x50: no multiple of its 16x16x16
# tiles): called directly under Helion's backend "mlir"; then step by step: capture the Device IR,
# lower it to MLIR, verify it with our tools and upstream mlir-opt, run it on the CPU and compare with
# PyTorch.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/python"
PY=.venv/bin/python
BIN=build/bin
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

ARGS=(--entry examples/matmul.py:matmul --arg 'torch.randn(100, 70)' --arg 'torch.randn(70, 50)')
step() { printf '\n== %s\n' "$*"; }

step "0. call the kernel under Helion's backend \"mlir\": HELION_BACKEND=mlir, matmul(x, y)"
HELION_BACKEND=mlir HELION_AUTOTUNE_EFFORT=none $PY - <<'PY'
import torch
import helion_mlir  # registers the backend before the kernel is decorated
from helion2json.cli import load_entry

matmul, namespace = load_entry("examples/matmul.py:matmul")
x, y = torch.randn(100, 70), torch.randn(70, 50)
out = matmul(x, y)  # Helion binds and runs its host code; the device function runs on our JIT
error = (out - namespace["reference"](x, y)).abs().max().item()
print(f"{matmul.name} under backend {matmul.settings.backend!r}: {tuple(out.shape)} {out.dtype}, "
      f"max abs error {error:.3g} against torch")
try:
    matmul(x, torch.randn(60, 50))
except AssertionError as e:  # the kernel's own host-code assert, as Helion runs it
    print(f"matmul(x, 60x50): AssertionError: {e}")
PY

step "1. capture: python -m helion2json ${ARGS[*]}"
$PY -m helion2json "${ARGS[@]}" --out "$OUT/matmul.json"
$PY - "$OUT/matmul.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
print(f"kernel {spec['kernel']['name']} ({spec['kernel']['file']}:{spec['kernel']['line']}), "
      f"{len(spec['graphs'])} graphs, config block_sizes={spec['config']['block_sizes']}")
for b in spec["block_sizes"]:
    print(f"  block {b['block_id']} {'/'.join(b['debug_names'])}: size {b['size']}, tile {b['tile_size']}")
PY

step "2. lower: helion-mlir matmul.json"
$BIN/helion-mlir "$OUT/matmul.json" -o "$OUT/matmul.mlir"
cat "$OUT/matmul.mlir"

step "3. verify: helion-opt, and upstream mlir-opt-22 with our IRDL dialects"
$BIN/helion-opt "$OUT/matmul.mlir" -o /dev/null && echo "helion-opt: verified"
$BIN/helion-mlir "$OUT/matmul.json" --tiles=symbolic -o "$OUT/symbolic.mlir"
cat dialects/helion.irdl.mlir dialects/loom.irdl.mlir > "$OUT/dialects.irdl.mlir"
mlir-opt-22 --irdl-file="$OUT/dialects.irdl.mlir" "$OUT/symbolic.mlir" -o /dev/null \
  && echo "mlir-opt-22 --irdl-file: verified (symbolic tiles, loom.get_symbol)"
$BIN/helion-mlir "$OUT/matmul.json" --emit=llvm -o "$OUT/matmul.llvm.mlir" \
  && echo "helion-mlir --emit=llvm: $(grep -c 'llvm\.' "$OUT/matmul.llvm.mlir") LLVM dialect lines"

step "4. run on the CPU and compare with PyTorch: python -m helion_mlir check"
$PY -m helion_mlir check "${ARGS[@]}" --ref examples/matmul.py:reference --rtol 1e-4 --atol 1e-4
