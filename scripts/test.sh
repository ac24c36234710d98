#!/usr/bin/env bash
# Runs every test: format, clippy (native and wasm32), rustdoc, the Rust tests, a release
# build of the app, and the browser end-to-end suite (Playwright + headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/install.sh

LOG=$(mktemp)
# Mesa's Vulkan driver (the GPU tests) complains without a private runtime directory.
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "$XDG_RUNTIME_DIR" ]; then
  XDG_RUNTIME_DIR=$(mktemp -d) && chmod 700 "$XDG_RUNTIME_DIR" && export XDG_RUNTIME_DIR
  trap 'rm -rf "$LOG" "$XDG_RUNTIME_DIR"' EXIT
else
  trap 'rm -f "$LOG"' EXIT
fi
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (wasm32)"
cargo clippy --workspace --all-targets --locked --target wasm32-unknown-unknown -- -D warnings

step "rustdoc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "cargo test"
cargo test --workspace --locked 2>&1 | tee -a "$LOG"

step "release build (trunk)"
trunk build --release

step "browser end-to-end tests"
# The soak test runs 1,000 events here; scripts/soak.sh runs the 5,000-event soak.
(cd e2e && SOAK_EVENTS=${SOAK_EVENTS:-1000} npm test) 2>&1 | tee -a "$LOG"

passed=$(awk '/^test result:/ {for (i=1;i<=NF;i++) if ($i ~ /^passed;?$/) s+=$(i-1)} /^# pass / {s+=$3} END {print s+0}' "$LOG")
failed=$(awk '/^test result:/ {for (i=1;i<=NF;i++) if ($i ~ /^failed;?$/) s+=$(i-1)} /^# fail / {s+=$3} END {print s+0}' "$LOG")
echo
echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
