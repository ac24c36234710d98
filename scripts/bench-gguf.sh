#!/usr/bin/env bash
# Compare quantlab with gguf (llama.cpp's Python package) on the ggml types, on the same data:
# quantize -> dequantize where gguf quantizes the type, decoding where it only dequantizes.
#
#   scripts/bench-gguf.sh [--sizes 1M,16M] [--repeat 3]
#
# Installs numpy and gguf from PyPI into .tools/ref-venv-ggml (gitignored, shared with
# scripts/ref-vectors-ggml.sh) when they are missing (pin with GGUF_VERSION=0.19.0), builds
# the quantlab CLI in release mode with opt-level 3 into .tools/target-bench (as
# scripts/bench-numpy.sh does), then runs scripts/bench_gguf.py. Timings are printed, never
# asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.tools/ref-venv-ggml
spec="gguf${GGUF_VERSION:+==$GGUF_VERSION}"
if ! "$venv/bin/python" -c 'import numpy, gguf' 2>/dev/null; then
    echo "installing numpy and $spec into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check numpy "$spec"
fi

target=${CARGO_TARGET_DIR:-.tools/target-bench}
CARGO_TARGET_DIR="$target" \
CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
CARGO_PROFILE_RELEASE_LTO=false \
CARGO_PROFILE_RELEASE_PANIC=unwind \
    cargo build --release --locked --quiet -p quantlab-cli

exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    "$venv/bin/python" scripts/bench_gguf.py --quantlab "$target/release/quantlab" "$@"
