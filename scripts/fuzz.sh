#!/usr/bin/env bash
# Coverage-guided fuzzing of quantlab's parsers, link states, schemes and packer with
# cargo-fuzz (libFuzzer). Needs the nightly toolchain (rustup toolchain install nightly) and
# installs cargo-fuzz into ~/.cargo/bin when it is missing.
#
#   scripts/fuzz.sh                 every target for 60 s each
#   scripts/fuzz.sh gguf 1800       one target for 30 minutes
#   scripts/fuzz.sh all 600 -runs=10000000   extra libFuzzer flags after the time
#
# Each run grows fuzz/corpus/<target>/ (commit what it adds after `cargo fuzz cmin`), and a
# crash is saved under fuzz/artifacts/<target>/: make it a test (copy it into the corpus; the
# replay test `cargo test -p quantlab-fuzz` then fails until it is fixed). The counts of the
# last runs are in docs/reliability.md. Never run in CI: CI replays the corpora instead.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-all}
seconds=${2:-60}
shift $(( $# > 2 ? 2 : $# ))
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo +nightly install cargo-fuzz --locked
fi
targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v quantlab-fuzz-bins)
[ "$target" = all ] || targets=$target
for t in $targets; do
    mkdir -p "fuzz/corpus/$t"
    echo "== $t: ${seconds}s" >&2
    (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "$@") \
        2>&1 | grep -E "^(stat::|#[0-9]+[[:space:]]+(INITED|DONE)|==|SUMMARY|artifact)" || true
done
