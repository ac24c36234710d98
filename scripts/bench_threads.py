"""Times `quantlab quantize --all` over a synthetic checkpoint at several thread counts.

Run through scripts/bench-threads.sh, which builds the CLI and provides NumPy.
"""

import argparse
import json
import os
import platform
import statistics
import struct
import subprocess
import tempfile
import time

import numpy as np

SCHEMES = [
    ("int8 sym, channel", ["-s", "linear", "-b", "8", "--mode", "sym", "--granularity", "channel"]),
    ("int4 asym, group 128", ["-s", "linear", "-b", "4", "--granularity", "group", "--group-size", "128"]),
    ("nf4, block 64", ["-s", "nf4"]),
    ("q4_k", ["-s", "q4-k"]),
    ("fp8 e4m3", ["-s", "fp8"]),
]


def size(text):
    text = text.strip().upper()
    scale = {"K": 1 << 10, "M": 1 << 20}.get(text[-1:], 1)
    return int(float(text.rstrip("KM")) * scale)


def write_checkpoint(path, tensors, values):
    """`tensors` float32 tensors of `values` each, shaped [rows, 4096] (or [1, values])."""
    rng = np.random.default_rng(20261202)
    cols = 4096 if values % 4096 == 0 else values
    header, offset, arrays = {}, 0, []
    for i in range(tensors):
        a = rng.standard_normal(values, dtype=np.float32) * np.float32(0.02 * (1 + i % 5))
        a[rng.integers(0, values, 8)] *= np.float32(40.0)  # a few outliers
        arrays.append(a)
        header[f"layers.{i}.weight"] = {
            "dtype": "F32",
            "shape": [values // cols, cols],
            "data_offsets": [offset, offset + 4 * values],
        }
        offset += 4 * values
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for a in arrays:
            f.write(a.tobytes())


def run(quantlab, path, scheme, threads):
    cmd = [quantlab, "quantize", "-i", path, "--all", "--json", "--threads", str(threads)] + scheme
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - t0
    doc = json.loads(out)
    doc.pop("threads")
    return seconds, doc


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quantlab", required=True)
    p.add_argument("--tensors", type=int, default=24)
    p.add_argument("--size", default="1M")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", default="1,2")
    args = p.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    values = size(args.size)
    cpu = next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
        platform.processor(),
    )
    print(f"machine: {cpu}, {os.cpu_count()} logical cores, load average "
          f"{os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "model.safetensors")
        write_checkpoint(path, args.tensors, values)
        mb = os.path.getsize(path) / 1e6
        print(f"checkpoint: {args.tensors} float32 tensors x {values} values ({mb:.0f} MB); "
              f"wall clock of `quantlab quantize --all`, median of {args.repeat}")
        print()
        head = f"{'scheme':24}" + "".join(f"{f'{t} thr s':>10}" for t in counts)
        head += "".join(f"{f'x{t}':>8}" for t in counts[1:]) + "  same"
        print(head)
        print("-" * len(head))
        for label, scheme in SCHEMES:
            times, docs = [], []
            for t in counts:
                runs = [run(args.quantlab, path, scheme, t) for _ in range(args.repeat)]
                times.append(statistics.median(r[0] for r in runs))
                docs.append(runs[0][1])
            same = all(d == docs[0] for d in docs)
            line = f"{label:24}" + "".join(f"{s:10.3f}" for s in times)
            line += "".join(f"{times[0] / s:8.2f}" for s in times[1:])
            print(line + ("  yes" if same else "  NO"))


if __name__ == "__main__":
    main()
