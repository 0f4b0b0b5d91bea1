#!/usr/bin/env bash
# Prints the path of a checkov executable, installing checkov into its own virtualenv first if needed.
# Why a separate venv: checkov pins bc-python-hcl2, which installs a package named `hcl2` over
# python-hcl2 8 (used by tests/test_terraform.py); side by side in one environment both break.
# The venv lives outside the work tree so a fresh clone (CI) reuses it.
set -euo pipefail
venv="${CHECKOV_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/nkpipe/checkov-venv}"
if [[ ! -x "$venv/bin/checkov" ]]; then
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'checkov>=3.2,<4' >&2
fi
echo "$venv/bin/checkov"
