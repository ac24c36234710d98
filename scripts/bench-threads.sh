#!/usr/bin/env bash
# How `quantlab quantize --all` scales with threads on this machine.
#
#   scripts/bench-threads.sh [--tensors 24] [--size 1M] [--repeat 3] [--threads 1,2]
#
# Writes a seeded .safetensors checkpoint of float32 tensors (NumPy), then times the release
# CLI quantizing all of it with each scheme and thread count (wall clock of the whole command,
# reading the file included; median of --repeat runs) and checks that every thread count
# prints the same figures. Timings are printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/bench-common.sh

exec "$venv/bin/python" scripts/bench_threads.py --quantlab "$quantlab" "$@"
