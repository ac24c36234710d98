#!/usr/bin/env bash
# Regenerates crates/quantlab-core/tests/data/ref.gguf and gguf_ref.json: a small GGUF file
# written by `gguf` (llama.cpp's Python package) and what gguf's own reader makes of it, which
# `cargo test -p quantlab-core --test gguf_reference` checks quantlab's reader against.
#
# Installs numpy and gguf from PyPI into .tools/ref-venv-ggml (gitignored) when they are
# missing. Pin a gguf version with GGUF_VERSION=0.19.0 (the JSON records the one used).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.tools/ref-venv-ggml
spec="gguf${GGUF_VERSION:+==$GGUF_VERSION}"
if ! "$venv/bin/python" -c 'import numpy, gguf' 2>/dev/null; then
    echo "installing numpy and $spec into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check numpy "$spec"
fi
"$venv/bin/python" scripts/ref_gguf.py crates/quantlab-core/tests/data
