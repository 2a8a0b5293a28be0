#!/usr/bin/env bash
# `make bench-embed`: the local embedder against sentence-transformers (PyTorch, CPU) on the same
# texts, with 1 and 2 threads: single-text latency (p50, p95), batch throughput, resident memory; and
# each kernel path the CPU has (and the portable one, plain C, what runs on a CPU without AVX2) with 1 thread.
set -euo pipefail
cd "$(dirname "$0")/.."

swift="${SWIFT:-swift}"
model_dir="${ENGRAM_MODEL_DIR:-models/all-MiniLM-L6-v2}"
venv=.venv-bench
out=.tmp/bench-embed

scripts/fetch-model.sh

# The Python side lives in a git-ignored virtual environment.
if [ ! -x "$venv/bin/python" ]; then
  python3 -c 'import ensurepip' 2>/dev/null || scripts/install-deps.sh python3-venv
  python3 -m venv "$venv"
fi
scripts/install-sentence-transformers.sh "$venv"

"$swift" build -c release --product EmbedBenchmark >&2
mkdir -p "$out"
rm -f "$out"/*.json
python3 scripts/bench_embed.py texts "$out/texts.json"

export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error TQDM_DISABLE=1
for threads in 1 2; do
  echo "Measuring with $threads thread(s)..." >&2
  .build/release/EmbedBenchmark --texts "$out/texts.json" --threads "$threads" --model "$model_dir" \
    >"$out/engram-$threads.report"
  OMP_NUM_THREADS="$threads" "$venv/bin/python" scripts/bench_embed.py torch "$out/texts.json" "$threads" "$model_dir" \
    >"$out/torch-$threads.report"
done
# The portable kernels (what runs on a CPU without AVX2), and each instruction-set path the CPU has,
# with 1 thread, for comparison.
for kernels in portable avx2 avx512 avx512-bf16 amx-bf16; do
  echo "Measuring the $kernels kernels with 1 thread..." >&2
  .build/release/EmbedBenchmark --texts "$out/texts.json" --threads 1 --kernels "$kernels" --model "$model_dir" \
    >"$out/engram-$kernels-1.report"
done

echo
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs), model $(grep -m1 -E '^model\s' /proc/cpuinfo | cut -d: -f2 | xargs)), $(nproc) cores;" \
  "flags: $(grep -m1 flags /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f|avx512_bf16|amx_tile|amx_bf16)$' | tr '\n' ' ')"
python3 scripts/bench_embed.py table "$out"/engram-*.report "$out"/torch-*.report
