#!/usr/bin/env bash
# Regenerate the committed reference vectors of the MX / NVFP4 formats:
#
#   scripts/ref-vectors.sh
#
# Installs NumPy and ml-dtypes from PyPI into .tools/ref-venv (gitignored) when they are
# missing, then runs scripts/ref_mx.py, which writes crates/quantlab-core/tests/data/
# mx_casts.bin and mx_blocks.bin. `cargo test -p quantlab-core --test mx_reference` checks
# quantlab against them without Python.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.tools/ref-venv
if ! "$venv/bin/python" -c 'import numpy, ml_dtypes' 2>/dev/null; then
    echo "installing numpy and ml-dtypes into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'numpy>=1.26' 'ml-dtypes>=0.5'
fi
exec "$venv/bin/python" scripts/ref_mx.py "$@"
