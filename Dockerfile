# Engram: a self-hosted long-term memory server for AI agents.
# Build stage: compile a release binary and fetch the embedding model (verified by sha256).
FROM swift:6.1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      pkg-config libsqlite3-dev libcurl4-openssl-dev libssl-dev libpq-dev \
      python3 python3-pip \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
COPY scripts ./scripts
RUN swift build -c release --product engram \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/engram" /out/ \
 && cp -R "$(swift build -c release --show-bin-path)"/*.resources /out/
RUN ENGRAM_MODEL_DIR=/out/models/all-MiniLM-L6-v2 scripts/fetch-model.sh

# Runtime stage: the binary, its resource bundles, the model and the shared libraries it links.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libsqlite3-0 libcurl4 libssl3 libpq5 curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /var/lib/engram engram
COPY --from=build /usr/lib/swift/linux/*.so /usr/lib/swift/linux/
COPY --from=build /out /opt/engram
ENV LD_LIBRARY_PATH=/usr/lib/swift/linux \
    ENGRAM_HOST=0.0.0.0 \
    ENGRAM_PORT=8888 \
    ENGRAM_DATA_DIR=/var/lib/engram/data \
    ENGRAM_MODEL_DIR=/opt/engram/models/all-MiniLM-L6-v2
USER 10001
WORKDIR /var/lib/engram
VOLUME ["/var/lib/engram/data"]
EXPOSE 8888
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD ["curl", "-fsS", "http://127.0.0.1:8888/health"]
ENTRYPOINT ["/opt/engram/engram", "serve"]
