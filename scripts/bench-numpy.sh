#!/usr/bin/env bash
# Compare quantlab with NumPy on the same quantize -> dequantize work and print ours/numpy.
#
#   scripts/bench-numpy.sh [--sizes 1M,16M] [--repeat 5]
#
# Installs NumPy from PyPI into .tools/bench-venv (gitignored) when it is missing, builds the
# quantlab CLI in release mode with opt-level 3 (the workspace's release profile optimises the
# web bundle for size, so it is overridden here) into .tools/target-bench, then runs
# scripts/bench_numpy.py. Timings are printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.tools/bench-venv
if ! "$venv/bin/python" -c 'import numpy' 2>/dev/null; then
    echo "installing numpy into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'numpy>=1.26'
fi

target=${CARGO_TARGET_DIR:-.tools/target-bench}
CARGO_TARGET_DIR="$target" \
CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
CARGO_PROFILE_RELEASE_LTO=false \
CARGO_PROFILE_RELEASE_PANIC=unwind \
    cargo build --release --locked --quiet -p quantlab-cli

# OPENBLAS_* tune BLAS kernels only (nothing here calls BLAS); unset for this run alone.
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    "$venv/bin/python" scripts/bench_numpy.py --quantlab "$target/release/quantlab" "$@"
