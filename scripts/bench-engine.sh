#!/usr/bin/env bash
# `make bench`: Engram's memory engine over HTTP (add throughput, search latency) at 1k, 10k and 100k
# memories in one scope and 1M memories over 1k scopes, side by side with mem0 2.x (PyPI mem0ai, faiss
# store, infer=False, its embedder pointed at Engram's /v1/embeddings) on the same data and queries.
# MEM0_EMBEDDER=local (or both) also runs mem0 with its own sentence-transformers embedder.
# Settings (BENCH_SIZES, MEM0_SIZES, BENCH_CONCURRENCY, BENCH_QUERIES, ...) are described at the top of
# scripts/bench_engine.py. Progress goes to stderr, the table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-mem0
out=.tmp/bench-engine
mem0_packages=("mem0ai==2.2.1" "faiss-cpu==1.15.1")

[ -x .build/release/engram ] || { echo "Build Engram first: make release" >&2; exit 1; }
scripts/fetch-model.sh

# mem0 lives in a git-ignored virtual environment. Installing it without the [nlp] extra leaves spaCy
# out, so mem0 never tries to download the spaCy model en_core_web_sm (which is not on PyPI).
if ! "$venv/bin/python" -c 'import mem0, faiss' 2>/dev/null; then
  echo "Setting up $venv (${mem0_packages[*]})" >&2
  python3 -c 'import ensurepip' 2>/dev/null || scripts/install-deps.sh python3-venv
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet "${mem0_packages[@]}"
fi
# mem0 with its own embedder (MEM0_EMBEDDER=local or both) runs sentence-transformers in its process.
case "${MEM0_EMBEDDER:-engram}" in
  local|both) scripts/install-sentence-transformers.sh "$venv" ;;
esac

echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores," \
  "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME")," \
  "$(swift --version 2>/dev/null | head -1 | sed 's/ (.*//'), Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())')" >&2
started=$(date +%s)
MEM0_TELEMETRY=False "$venv/bin/python" scripts/bench_engine.py run "$out"
echo "Whole run: $(( ($(date +%s) - started) / 60 )) min. Reports: $out/*.json" >&2
# mem0's own SDK (mem0ai 2.2.1 MemoryClient) against Engram: add and search latency through it
# (scripts/bench_sdk.py; SDK_BENCH_SIZES, default 1000,10000; SDK_BENCH=0 skips it).
if [ "${SDK_BENCH:-1}" != 0 ]; then
  scripts/client-venvs.sh >&2
  MEM0_TELEMETRY=False .venv-mem0-client/bin/python scripts/bench_sdk.py run "$out-sdk"
fi
