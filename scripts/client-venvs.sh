#!/usr/bin/env bash
# Sets up the two git-ignored virtual environments the mem0 client tests and the SDK benchmark use:
#   .venv-mem0-client  mem0ai 2.2.1 (the current hosted-platform MemoryClient / AsyncMemoryClient)
#   .venv-mem0-legacy  mem0ai 1.0.11 (the legacy 1.x MemoryClient many deployed apps still use)
#   .venv-mcp-2        mcp 2.3.0 (the MCP Python SDK's current client: the 2026-07-28 era and the legacy one)
#   .venv-mcp-1        mcp 1.30.0 (the last 1.x client, legacy era only)
#   .venv-metrics      prometheus_client 0.21.1 (its text-format parser checks GET /metrics)
#   .venv-console      selenium 4.38.0, driving Debian's chromium and chromium-driver for the web console tests
# the one the chat proxy tests use:
#   .venv-openai       openai, the latest release (the official OpenAI Python SDK)
# and the one the cross-encoder parity test and the embedding benchmark use:
#   .venv-bench        torch 2.13.0+cpu and sentence-transformers (which brings transformers)
# Idempotent: an environment that already imports the right version is left alone. PyPI only (pip).
set -euo pipefail
cd "$(dirname "$0")/.."

ensure_venv() {
  python3 -c 'import ensurepip, venv' 2>/dev/null || scripts/install-deps.sh python3-venv
  [ -x "$1/bin/python" ] || python3 -m venv "$1"
}

# setup VENV DISTRIBUTION VERSION PACKAGE...: DISTRIBUTION==VERSION and the other packages, unless the
# environment already holds that version and imports the packages (checked without importing the
# distribution itself: mem0 pulls in its vector stores).
setup() {
  local venv=$1 distribution=$2 version=$3
  shift 3
  if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/python" - "$distribution" "$@" 2>/dev/null <<'PY'
import importlib.metadata as m, importlib.util as u, sys
ok = all(u.find_spec(name) for name in sys.argv[2:])
print(m.version(sys.argv[1]) if ok else "")
PY
)" = "$version" ]; then
    echo "$venv: $distribution $version (already set up)"
    return
  fi
  ensure_venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$distribution==$version" "$@"
  echo "$venv: $distribution $version (installed)"
}

# Without the [nlp] extra spaCy stays out, so mem0 never tries to fetch a spaCy model.
setup .venv-mem0-client mem0ai 2.2.1 httpx requests
setup .venv-mem0-legacy mem0ai 1.0.11 httpx requests
setup .venv-mcp-2 mcp 2.3.0 httpx
setup .venv-mcp-1 mcp 1.30.0 httpx
# The Prometheus client's own parser, which the /metrics test reads the exposition with.
setup .venv-metrics prometheus_client 0.21.1 prometheus_client
# The console tests drive Debian's own Chromium headless (no browser download from PyPI or elsewhere).
scripts/install-deps.sh chromium chromium-driver
setup .venv-console selenium 4.38.0 selenium

# The latest openai SDK once: an environment that already imports it is left alone (delete it to update).
if [ -x .venv-openai/bin/python ] && version=$(.venv-openai/bin/python -c 'import openai; print(openai.__version__)' 2>/dev/null); then
  echo ".venv-openai: openai $version (already set up)"
else
  ensure_venv .venv-openai
  .venv-openai/bin/python -m pip install --quiet --disable-pip-version-check --upgrade openai
  echo ".venv-openai: openai $(.venv-openai/bin/python -c 'import openai; print(openai.__version__)') (installed)"
fi

# torch and sentence-transformers through the installer the benchmarks use, unless both are already there
# (checked from their metadata: importing torch takes seconds).
ensure_venv .venv-bench
if ! versions=$(.venv-bench/bin/python - 2>/dev/null <<'PY'
import importlib.metadata as m, importlib.util as u
assert all(u.find_spec(name) for name in ("torch", "transformers", "sentence_transformers"))
print(f"torch {m.version('torch')}, transformers {m.version('transformers')}")
PY
); then
  scripts/install-sentence-transformers.sh .venv-bench
  versions="$(.venv-bench/bin/python -c 'import importlib.metadata as m; print("torch %s, transformers %s" % (m.version("torch"), m.version("transformers")))') (installed)"
else
  versions="$versions (already set up)"
fi
echo ".venv-bench: $versions"
