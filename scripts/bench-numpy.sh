#!/usr/bin/env bash
# Compare quantlab with NumPy on the same quantize -> dequantize work and print ours/numpy.
#
#   scripts/bench-numpy.sh [--sizes 1M,16M] [--repeat 5]
#
# Installs NumPy and builds the release CLI (scripts/bench-common.sh), then runs
# scripts/bench_numpy.py. Timings are printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/bench-common.sh

# OPENBLAS_* tune BLAS kernels only (nothing here calls BLAS); unset for this run alone.
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    "$venv/bin/python" scripts/bench_numpy.py --quantlab "$quantlab" "$@"
