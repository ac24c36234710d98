#!/usr/bin/env bash
# Compare quantlab with NumPy on the same quantize -> dequantize work and print ours/numpy.
#
#   scripts/bench-numpy.sh [--sizes 1M,16M] [--repeat 5]
#
# Installs NumPy and builds the release CLI (scripts/bench-common.sh), then runs
# scripts/bench_numpy.py. Timings are printed, never asserted.
#
# Where Node.js, wasm-bindgen and the wasm32 target are installed (scripts/install.sh puts
# them there), it also builds crates/quantlab-wasm-bench as the web app is built (release
# profile, simd128, then wasm-opt -Oz like trunk) and the table gains the WebAssembly
# column. QUANTLAB_BENCH_NO_WASM=1 leaves it out.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/bench-common.sh
source scripts/env.sh

wasm_args=()
if [ -z "${QUANTLAB_BENCH_NO_WASM:-}" ] && command -v node >/dev/null && command -v wasm-bindgen >/dev/null \
    && rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    cargo build --release --locked --quiet -p quantlab-wasm-bench --target wasm32-unknown-unknown \
        --target-dir "$target/wasm"
    pkg=.tools/wasm-bench
    wasm-bindgen --target nodejs --out-dir "$pkg" \
        "$target/wasm/wasm32-unknown-unknown/release/quantlab_wasm_bench.wasm"
    if command -v wasm-opt >/dev/null; then
        wasm-opt -Oz "$pkg/quantlab_wasm_bench_bg.wasm" -o "$pkg/quantlab_wasm_bench_bg.wasm"
    fi
    wasm_args=(--wasm "$pkg")
else
    echo "no WebAssembly column (needs node, wasm-bindgen and the wasm32 target: scripts/install.sh)" >&2
fi

# OPENBLAS_* tune BLAS kernels only (nothing here calls BLAS); unset for this run alone.
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    "$venv/bin/python" scripts/bench_numpy.py --quantlab "$quantlab" "${wasm_args[@]}" "$@"
