#!/usr/bin/env bash
# Installs sentence-transformers and a CPU-only torch into the virtual environment given as $1 (for the
# benchmarks that run the Python embedder: bench-embed, and bench with MEM0_EMBEDDER=local or both).
# The CPU-only wheel is preferred: the default torch pulls about 3 GB of CUDA libraries that a CPU
# benchmark never uses.
set -euo pipefail
venv=$1
"$venv/bin/python" -c 'import torch, sentence_transformers' 2>/dev/null && exit 0
echo "Installing torch for CPU and sentence-transformers into $venv" >&2
if ! "$venv/bin/python" -m pip install --quiet --only-binary=:all: "torch==2.13.0+cpu"; then
  echo "No CPU-only torch wheel is available to pip here; installing the default torch (with CUDA)." >&2
  "$venv/bin/python" -m pip install --quiet torch
fi
"$venv/bin/python" -m pip install --quiet sentence-transformers
