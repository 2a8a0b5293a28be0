#!/usr/bin/env bash
# `make bench-mcp`: what a tool call through /mcp costs beside the REST call it wraps, on one release
# server: BENCH_MEMORIES (default 2000) memories in one user's scope, BENCH_REQUESTS (default 500) calls
# of each kind on one keep-alive connection, alternating so both see the same machine state.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${BENCH_PORT:-18090}
work=$(mktemp -d)
engram_pid=""
cleanup() {
  [ -n "$engram_pid" ] && kill "$engram_pid" 2>/dev/null && wait "$engram_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ENGRAM_LOG_LEVEL=warning .build/release/engram serve --host 127.0.0.1 --port "$port" --data-dir "$work/data" \
  --api-key bench-key 2>"$work/engram.log" &
engram_pid=$!
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
python3 scripts/bench_mcp.py "http://127.0.0.1:$port" bench-key "${BENCH_MEMORIES:-2000}" "${BENCH_REQUESTS:-500}"
