#!/usr/bin/env bash
# `make bench-reindex`: the admin commands at scale on a release build and a SQLite store:
# `engram import` of BENCH_MEMORIES (default 100000) mem0-shaped records, `engram reindex` of all of
# them, `engram export` (with its peak memory), `engram export --with-vectors` and its import into a new
# store (and into the empty Postgres database BENCH_IMPORT_DATABASE_URL names, if set), then GET /metrics scrapes on a server over the store,
# and again after the store is grown to SCRAPE_MEMORIES (default 1000000) rows by SQL (no embedding).
# See scripts/bench_reindex.py; the numbers go to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/bench_reindex.py .build/release/engram "$work" "${BENCH_MEMORIES:-100000}" "${SCRAPE_MEMORIES:-1000000}" "${BENCH_PORT:-18095}"
