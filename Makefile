# Engram: `make serve` runs the server, `make test` runs every test. Both install what they need.
HOST ?= 127.0.0.1
PORT ?= 8888
DATA_DIR ?= ./data
SWIFT ?= swift

.PHONY: deps build release serve test bench-http clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

serve: release
	.build/release/engram serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench-http: release
	@scripts/install-deps.sh wrk nginx-light
	@scripts/bench-http.sh

clean:
	rm -rf .build
