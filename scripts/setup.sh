#!/usr/bin/env bash
# Installs what is missing (Debian packages, the Python venv) and nothing else: safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(libmlir-22-dev mlir-22-tools llvm-22-tools llvm-22-dev libomp-22-dev libjansson-dev cmake make gcc g++ python3-venv)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import torch, helion, pytest, lit, packaging, jsonschema, torch_mlir" 2>/dev/null \
   || ! cmp -s requirements.txt .venv/.requirements.installed; then
  echo "setup: installing Python requirements into .venv"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  cp requirements.txt .venv/.requirements.installed
fi
# helion_mlir and helion2json importable, helion-mlir and helion-opt on .venv/bin, without PYTHONPATH:
# an editable install (pyproject.toml). Its modules stay python/'s and it loads build/lib's library;
# it builds the C core in build/, the tree `make build` uses, so with the same CMake generator. The
# tools it copies to .venv/bin are refreshed by running `.venv/bin/pip install --no-deps -e .` again.
if ! .venv/bin/python -c "import importlib.metadata as m; m.distribution('helion-mlir')" 2>/dev/null; then
  echo "setup: pip install -e . (builds the C core in build/)"
  CMAKE_GENERATOR="Unix Makefiles" .venv/bin/pip install -q --disable-pip-version-check --no-deps -e .
fi
echo "setup: ok"
