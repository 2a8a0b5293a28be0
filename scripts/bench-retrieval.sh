#!/usr/bin/env bash
# Retrieval quality on LoCoMo: BM25 only, dense only and fused, through Engram's HTTP API.
# Usage: scripts/bench-retrieval.sh [path to locomo-dev.json] (default ../shared/data/locomo-dev.json)
# RERANKER=fake-llm adds a reranked ranking (rerank: true) through the `llm` reranker in front of a
# scripted fake model (scripts/fake_judge.py, on 127.0.0.1) to show the path works; RERANKER=env reranks
# with whatever ENGRAM_RERANKER_* / ENGRAM_LLM_* the environment configures (a real service).
set -euo pipefail
cd "$(dirname "$0")/.."

data=${1:-${LOCOMO_PATH:-../shared/data/locomo-dev.json}}
if [ ! -f "$data" ]; then
  echo "LoCoMo data not found at $data. Get it from https://github.com/snap-research/LoCoMo (data/locomo10.json)" \
    "and pass its path as LOCOMO_PATH or the first argument." >&2
  exit 1
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
pid=""
judge=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "$judge" ] && kill "$judge" 2>/dev/null && wait "$judge" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

case "${RERANKER:-}" in
  "") ;;
  fake-llm)
    judge_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    python3 scripts/fake_judge.py "$judge_port" &
    judge=$!
    export ENGRAM_LLM_PROVIDER=openai ENGRAM_LLM_MODEL=fake-judge ENGRAM_LLM_API_KEY=unused \
      ENGRAM_LLM_BASE_URL="http://127.0.0.1:$judge_port/v1" ENGRAM_RERANKER_PROVIDER=llm
    ;;
  env) [ -n "${ENGRAM_RERANKER_PROVIDER:-}" ] || { echo "RERANKER=env needs ENGRAM_RERANKER_PROVIDER" >&2; exit 1; } ;;
  *) echo "RERANKER must be fake-llm or env" >&2; exit 1 ;;
esac

# Adds are infer=false, so a configured LLM only ever reranks here.
.build/release/engram serve --host 127.0.0.1 --port "$port" --data-dir "$work" --log-level warning 2>"$work/engram.log" &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
RERANK=${RERANKER:+1} python3 scripts/bench_retrieval.py "http://127.0.0.1:$port" "$data" "${K:-10}"
