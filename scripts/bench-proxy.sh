#!/usr/bin/env bash
# `make bench-proxy`: the chat proxy's overhead before the first token, with a model that answers at
# once. BENCH_MEMORIES (default 10000) memories in the scope, BENCH_REQUESTS (default 200) measured
# streamed requests, each sent straight to the model, through the proxy without a scope, and with one.
set -euo pipefail
cd "$(dirname "$0")/.."

swift="${SWIFT:-swift}"
scripts/fetch-model.sh
"$swift" build -c release --product InferenceBenchmark >&2
echo "Seeding ${BENCH_MEMORIES:-10000} memories, then ${BENCH_REQUESTS:-200} streamed chat requests..." >&2
result=$(.build/release/InferenceBenchmark --mode proxy --memories "${BENCH_MEMORIES:-10000}" \
  --requests "${BENCH_REQUESTS:-200}" --model-dir "${ENGRAM_MODEL_DIR:-models/all-MiniLM-L6-v2}")
python3 - "$result" <<'PY'
import json, subprocess, sys
r = json.loads(sys.argv[1])
cpu = subprocess.run(["grep", "-m1", "model name", "/proc/cpuinfo"], capture_output=True, text=True).stdout.split(":", 1)[-1].strip()
print(f"CPU                             {cpu}")
print(f"memories in the scope           {r['memories_in_scope']:>10,}")
print(f"streamed requests measured      {r['requests']:>10}")
print(f"first chunk, straight to model  p50 {r['direct_p50_ms']:6.2f} / p95 {r['direct_p95_ms']:6.2f} ms")
print(f"first chunk, proxy, no scope    p50 {r['plain_p50_ms']:6.2f} / p95 {r['plain_p95_ms']:6.2f} ms")
print(f"first chunk, proxy, with scope  p50 {r['scoped_p50_ms']:6.2f} / p95 {r['scoped_p95_ms']:6.2f} ms")
print(f"proxy overhead (scope - straight) p50 {r['overhead_p50_ms']:6.2f} / p95 {r['overhead_p95_ms']:6.2f} ms")
print(f"of which the recall (search)     p50 {r['recall_p50_ms']:6.2f} / p95 {r['recall_p95_ms']:6.2f} ms")
PY
