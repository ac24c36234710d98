#!/usr/bin/env bash
# Regenerates crates/quantlab-core/tests/data/ggml_ref.json: the reference vectors that
# `cargo test -p quantlab-core --test ggml_reference` checks quantlab's ggml blocks against.
#
# Installs numpy and gguf (llama.cpp's Python package) from PyPI into .tools/ref-venv-ggml
# (gitignored) when they are missing, then
#   1. scripts/ref_ggml.py writes the seeded inputs, gguf's bytes for every type gguf can
#      quantize and gguf's decoding of random blocks for every type it can dequantize;
#   2. the ignored test `write_quantlab_bytes` writes quantlab's bytes for those inputs;
#   3. scripts/ref_ggml.py adds gguf's decoding of quantlab's bytes.
# Pin a gguf version with GGUF_VERSION=0.19.0 (the vectors record the one used).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.tools/ref-venv-ggml
spec="gguf${GGUF_VERSION:+==$GGUF_VERSION}"
if ! "$venv/bin/python" -c 'import numpy, gguf' 2>/dev/null; then
    echo "installing numpy and $spec into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check numpy "$spec"
fi

out=crates/quantlab-core/tests/data/ggml_ref.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$out")"

"$venv/bin/python" scripts/ref_ggml.py inputs "$tmp/ref.json"
QUANTLAB_GGML_INPUTS="$tmp/ref.json" QUANTLAB_GGML_BYTES="$tmp/quantlab.json" \
    cargo test -p quantlab-core --test ggml_reference --quiet -- --ignored write_quantlab_bytes
"$venv/bin/python" scripts/ref_ggml.py decode "$tmp/ref.json" "$tmp/quantlab.json"
cp "$tmp/ref.json" "$out"
echo "wrote $out ($(wc -c <"$out") bytes)" >&2
