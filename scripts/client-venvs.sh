#!/usr/bin/env bash
# Sets up the two git-ignored virtual environments the mem0 client tests and the SDK benchmark use:
#   .venv-mem0-client  mem0ai 2.2.1 (the current hosted-platform MemoryClient / AsyncMemoryClient)
#   .venv-mem0-legacy  mem0ai 1.0.11 (the legacy 1.x MemoryClient many deployed apps still use)
# and the one the chat proxy tests use:
#   .venv-openai       openai, the latest release (the official OpenAI Python SDK)
# Idempotent: an environment that already imports the right version is left alone. PyPI only (pip).
set -euo pipefail
cd "$(dirname "$0")/.."

ensure_venv() {
  python3 -c 'import ensurepip, venv' 2>/dev/null || scripts/install-deps.sh python3-venv
  [ -x "$1/bin/python" ] || python3 -m venv "$1"
}

setup() {
  local venv=$1 version=$2
  # The installed distribution's version, read without importing mem0 (which pulls in its vector stores).
  if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/python" -c '
import importlib.metadata as m, importlib.util as u
ok = all(u.find_spec(name) for name in ("mem0", "httpx", "requests"))
print(m.version("mem0ai") if ok else "")' 2>/dev/null)" = "$version" ]; then
    echo "$venv: mem0ai $version (already set up)"
    return
  fi
  ensure_venv "$venv"
  # Without the [nlp] extra spaCy stays out, so mem0 never tries to fetch a spaCy model.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "mem0ai==$version" httpx requests
  echo "$venv: mem0ai $version (installed)"
}

setup .venv-mem0-client 2.2.1
setup .venv-mem0-legacy 1.0.11

# The latest openai SDK once: an environment that already imports it is left alone (delete it to update).
if [ -x .venv-openai/bin/python ] && version=$(.venv-openai/bin/python -c 'import openai; print(openai.__version__)' 2>/dev/null); then
  echo ".venv-openai: openai $version (already set up)"
else
  ensure_venv .venv-openai
  .venv-openai/bin/python -m pip install --quiet --disable-pip-version-check --upgrade openai
  echo ".venv-openai: openai $(.venv-openai/bin/python -c 'import openai; print(openai.__version__)') (installed)"
fi
