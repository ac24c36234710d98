# Sourced by the benchmark scripts: a NumPy and scikit-learn venv in .tools/bench-venv
# (installed from PyPI when missing) and the quantlab CLI built in release mode with opt-level 3 (the workspace's
# release profile optimises the web bundle for size, so it is overridden here) into
# $CARGO_TARGET_DIR or .tools/target-bench. Sets $venv and $quantlab.
venv=.tools/bench-venv
if ! "$venv/bin/python" -c 'import numpy' 2>/dev/null; then
    echo "installing numpy into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'numpy>=1.26'
fi
# scikit-learn for the k-means comparison of bench-numpy.sh.
if ! "$venv/bin/python" -c 'import sklearn' 2>/dev/null; then
    echo "installing scikit-learn into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'scikit-learn>=1.4'
fi

target=${CARGO_TARGET_DIR:-.tools/target-bench}
CARGO_TARGET_DIR="$target" \
CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
CARGO_PROFILE_RELEASE_LTO=false \
CARGO_PROFILE_RELEASE_PANIC=unwind \
    cargo build --release --locked --quiet -p quantlab-cli
quantlab="$target/release/quantlab"
