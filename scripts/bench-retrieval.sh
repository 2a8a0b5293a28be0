#!/usr/bin/env bash
# Retrieval quality on LoCoMo: BM25 only, dense only and fused, through Engram's HTTP API.
# Usage: scripts/bench-retrieval.sh [path to locomo-dev.json] (default ../shared/data/locomo-dev.json)
set -euo pipefail
cd "$(dirname "$0")/.."

data=${1:-${LOCOMO_PATH:-../shared/data/locomo-dev.json}}
[ -f "$data" ] || { echo "LoCoMo data not found at $data (pass its path as the first argument)" >&2; exit 1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

.build/release/engram serve --host 127.0.0.1 --port "$port" --data-dir "$work" --log-level warning 2>"$work/engram.log" &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
python3 scripts/bench_retrieval.py "http://127.0.0.1:$port" "$data" "${K:-10}"
