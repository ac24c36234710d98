#!/usr/bin/env bash
# The long soak: 5,000 seeded random control events across every lab and the lesson, in
# headless Chromium, against the release build in dist/ (run `trunk build --release` first).
# About 20 minutes on a 2-core machine; the test suite (scripts/test.sh) runs a 1,000-event
# version of the same test. Results go in docs/reliability.md.
#
#   scripts/soak.sh                 5,000 events, the default seed
#   scripts/soak.sh 20000 7         20,000 events, seed 7
set -euo pipefail
cd "$(dirname "$0")/../e2e"
SOAK_EVENTS=${1:-5000} SOAK_SEED=${2:-20261201} \
    node --test --test-concurrency=1 tests/soak.test.js
