"""Time quantlab against gguf (llama.cpp's Python package) on the ggml types, on the same data.

Run through scripts/bench-gguf.sh, which installs numpy and gguf into .tools/ and builds the
CLI. For each size it writes seeded standard-normal float32 data of shape [n / 1024, 1024]
as .npy (the same generator and seed as scripts/bench_numpy.py), then

  1. for every type gguf can quantize (`gguf.quants.quantize`) that quantlab implements:
     quantize -> dequantize in gguf (timed in this process) and in quantlab (`quantlab bench`,
     fit + quantize + dequantize, the fast path), their ratio, and whether quantlab's values
     (`quantlab quantize --output`) equal gguf's bit for bit;
  2. for every type gguf can dequantize that quantlab reads from a GGUF file: a GGUF file
     holding one tensor of that type (gguf's own bytes of the data where gguf quantizes it,
     seeded random blocks with finite scales where it only dequantizes), then the time of
     decoding those bytes to float32 in gguf (`gguf.quants.dequantize`) and in quantlab
     (`quantlab bench --decode`), and whether the decoded values are identical.

Blocks run along the rows of 1024 values in both; ggml's MXFP4 and quantlab's OCP MXFP4 both
use E2M1 elements with an E8M0 scale per 32 values (ggml stores the scale once and its
codes in its own nibble order). Timings are printed, never asserted; the machine may be
shared and noisy.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from importlib.metadata import version

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf import GGML_QUANT_SIZES, quants

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_numpy import COLS, cpu_flags, cpu_name, parse_size  # noqa: E402
from ref_gguf import random_blocks  # noqa: E402

# gguf's type -> quantlab's scheme id, for the types both quantize.
QUANTIZE = [
    ("Q8_0", "q8-0"), ("Q4_0", "q4-0"), ("Q4_1", "q4-1"), ("Q5_0", "q5-0"), ("Q5_1", "q5-1"),
    ("MXFP4", "mxfp4"), ("BF16", "bf16"),
]
# Types gguf only dequantizes (0.19) and quantlab decodes from a GGUF file.
DECODE_ONLY = ["Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "NVFP4"]


def median_time(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ours_json(quantlab, args):
    out = subprocess.run([quantlab, *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def compare(ours, ref):
    """Whether every float32 is bit-identical, else how many differ in their bits, how many
    differ in value (-0 and +0 count as equal) and the largest |difference|."""
    a = np.ascontiguousarray(ours, dtype=np.float32).reshape(-1)
    b = np.ascontiguousarray(ref, dtype=np.float32).reshape(-1)
    if a.shape != b.shape:
        return f"DIFF (shapes {a.shape} and {b.shape})"
    bits = int(np.count_nonzero(a.view(np.uint32) != b.view(np.uint32)))
    if bits == 0:
        return "same"
    values = int(np.count_nonzero(a != b))
    mad = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
    return f"DIFF: {bits} in bits, {values} in value, max |diff| {mad:.3g}"


def write_gguf(path, name, raw, rows):
    w = gguf.GGUFWriter(path, arch="llama")
    w.add_tensor("t", raw.reshape(rows, -1), raw_dtype=T[name])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def blocks_for(name, x, rng):
    """gguf's bytes of x where gguf quantizes `name`, else seeded random blocks."""
    rows, cols = x.shape
    try:
        return quants.quantize(x, T[name]), "gguf bytes of the data"
    except NotImplementedError:
        raw = random_blocks(rng, name, rows, cols)
        if name == "NVFP4":
            # Four UE4M3 block scales first in each 36-byte block: finite, moderate.
            b = raw.reshape(-1, GGML_QUANT_SIZES[T[name]][1])
            b[:, :4] = rng.integers(0x10, 0x60, size=(b.shape[0], 4), dtype=np.uint8)
        return raw, "random blocks"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quantlab", required=True, help="path of the release quantlab binary")
    ap.add_argument("--sizes", default="1M,16M", help="comma-separated sizes (K/M suffixes)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per case (median)")
    ap.add_argument("--seed", type=int, default=20240607)
    ap.add_argument("--workdir", default=".tools/bench-data")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    ql = args.quantlab

    print(f"machine: {cpu_name()}, {os.cpu_count()} logical cores (shared with other work: noisy)")
    print(f"cpu flags: {cpu_flags()}")
    print(f"gguf {version('gguf')}, numpy {np.__version__}; median of {args.repeat} runs")
    print("quantlab = release CLI (opt-level 3), single thread; gguf = gguf.quants in numpy")
    print()
    h1 = (f"{'quantize -> dequantize':<22} {'values':>9} {'quantlab s':>10} {'gguf s':>9} "
          f"{'ql/gguf':>8} {'gguf/ql':>8}  values")
    h2 = (f"{'dequantize (decode)':<22} {'values':>9} {'quantlab s':>10} {'gguf s':>9} "
          f"{'ql/gguf':>8} {'gguf/ql':>8}  values; bytes")
    for size in args.sizes.split(","):
        n = parse_size(size)
        rows = max(1, n // COLS)
        x = np.random.default_rng(args.seed).standard_normal((rows, COLS), dtype=np.float32)
        path = os.path.join(args.workdir, f"x_{n}.npy")
        np.save(path, x)
        ours_npy = os.path.join(args.workdir, "ours.npy")

        print(h1)
        print("-" * len(h1))
        for name, scheme in QUANTIZE:
            def roundtrip():
                return quants.dequantize(quants.quantize(x, T[name]), T[name])
            t_g = median_time(roundtrip, args.repeat)
            opts = ["--input", path, "-s", scheme]
            t_q = ours_json(ql, ["bench", "--repeat", str(args.repeat), *opts])["median_s"]
            subprocess.run([ql, "quantize", *opts, "--output", ours_npy], check=True,
                           capture_output=True)
            verdict = compare(np.load(ours_npy), roundtrip())
            print(f"{name + ' (' + scheme + ')':<22} {x.size:>9} {t_q:>10.4f} {t_g:>9.4f} "
                  f"{t_q / t_g:>8.3f} {t_g / t_q:>8.1f}  {verdict}", flush=True)
        print()

        print(h2)
        print("-" * len(h2))
        rng = np.random.default_rng(args.seed + 1)
        gpath = os.path.join(args.workdir, f"t_{n}.gguf")
        for name in [q for q, _ in QUANTIZE if q != "BF16"] + DECODE_ONLY:
            raw, how = blocks_for(name, x, rng)
            write_gguf(gpath, name, raw, rows)
            t_g = median_time(lambda: quants.dequantize(raw, T[name]), args.repeat)
            # --decode ignores the scheme options (clap still wants a --scheme).
            doc = ours_json(ql, ["bench", "--decode", "-s", "linear", "--input", gpath, "--repeat",
                                 str(args.repeat), "--output", ours_npy])
            verdict = compare(np.load(ours_npy), quants.dequantize(raw, T[name]))
            t_q = doc["median_s"]
            print(f"{name:<22} {doc['values']:>9} {t_q:>10.4f} {t_g:>9.4f} "
                  f"{t_q / t_g:>8.3f} {t_g / t_q:>8.1f}  {verdict}; {how}", flush=True)
        print()
        for p in (path, gpath, ours_npy):
            if os.path.exists(p):
                os.remove(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
