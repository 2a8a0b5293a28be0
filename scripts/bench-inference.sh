#!/usr/bin/env bash
# `make bench-inference`: the inference pipeline's own cost with a model that answers at once.
# BENCH_MEMORIES (default 10000) memories in the scope, BENCH_ADDS (default 200) measured adds.
set -euo pipefail
cd "$(dirname "$0")/.."

swift="${SWIFT:-swift}"
scripts/fetch-model.sh
"$swift" build -c release --product InferenceBenchmark >&2
echo "Seeding ${BENCH_MEMORIES:-10000} memories, then ${BENCH_ADDS:-200} inference adds over HTTP..." >&2
result=$(.build/release/InferenceBenchmark --memories "${BENCH_MEMORIES:-10000}" --adds "${BENCH_ADDS:-200}" \
  --model-dir "${ENGRAM_MODEL_DIR:-models/all-MiniLM-L6-v2}")
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"memories in the scope      {r['memories_in_scope']:>10,}")
print(f"inference adds measured    {r['adds']:>10}")
print(f"add latency p50 / p95 / p99 {r['add_p50_ms']:6.1f} / {r['add_p95_ms']:.1f} / {r['add_p99_ms']:.1f} ms (model answers in ~0 ms)")
print(f"of which: embedding the new messages once, p50 {r['embed_query_p50_ms']:.1f} ms (and each new fact once)")
print(f"prompt sent per add        {r['prompt_bytes_mean']:>10,.0f} bytes (~{r['prompt_tokens_estimate']:.0f} tokens at 4 bytes/token)")
print(f"existing memories shown    {r['existing_memories_shown_mean']:>10.1f}")
PY
