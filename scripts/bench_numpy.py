"""Time quantize -> dequantize in NumPy and in quantlab on the same seeded data.

Run through scripts/bench-numpy.sh, which installs NumPy into .tools/ and builds the CLI.
For each size it writes seeded standard-normal float32 data of shape [n / 1024, 1024] as
.npy, times each case in NumPy (in this process) and with `quantlab bench` (fit, quantize
and dequantize, the same work) on its fast (vectorized) path and on its scalar reference
path (`--reference`: quantize to integer codes, then dequantize), checks that quantlab and
NumPy give the same values (`max |diff|` and whether every float32 is bit-identical, from
`quantlab quantize --output`), and prints a table with the ratio ours / numpy.

With `--wasm PKG` (the script passes it when Node.js and the WebAssembly build are at hand)
each case is also timed in WebAssembly: the core built as the web app builds it, run by
Node.js (V8, Chromium's engine) through scripts/bench_wasm.cjs, on the same file and the
same scheme; the `wasm s` column, the ratio native/wasm (the issue's target: at least 0.5)
and whether the WebAssembly values equal the native ones bit for bit (`wasm=`).

The arithmetic is float32 on both sides, as a NumPy user writes it on a float32 array
(docs/performance.md): scales are float32 quotients (`amax / 127`), values are divided by
the scale (`x / S`, not `x * (1/S)`), `np.rint` rounds half to even. NF4 picks the nearest
table entry (ties to the lower one) of the float32 quotient `x / absmax`; FP8 rounds
`x / S` to E4M3; mu-law compresses the float32 quotient `x / absmax` in float64 and
scales float32 levels back.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

COLS = 1024

# bitsandbytes' NF4 code (the same table as quantlab_core::nf4::NF4_CODE).
NF4 = np.array(
    [
        -1.0,
        -0.6961928009986877,
        -0.5250730514526367,
        -0.39491748809814453,
        -0.28444138169288635,
        -0.18477343022823334,
        -0.09105003625154495,
        0.0,
        0.07958029955625534,
        0.16093020141124725,
        0.24611230194568634,
        0.33791524171829224,
        0.44070982933044434,
        0.5626170039176941,
        0.7229568362236023,
        1.0,
    ],
    dtype=np.float32,
)


def _above(m):
    """The smallest float32 strictly above each float64 value of m."""
    t = m.astype(np.float32)
    return np.where(t.astype(np.float64) > m, t, np.nextafter(t, np.float32(np.inf)))


# A value goes to the upper of two neighbouring entries when it lies strictly above
# their exact midpoint: as float32 thresholds, when it is >= the first float32 above it.
NF4_UP = _above((NF4[1:].astype(np.float64) + NF4[:-1].astype(np.float64)) / 2)


def _nonzero(s):
    return np.where(s == 0, np.float32(1), s)


def linear_sym(x, bits, axis=None):
    """S = max|x| / (2^(b-1) - 1), q = clip(rint(x/S), -2^(b-1), 2^(b-1) - 1), x^ = S*q.
    (`+ 0` makes a code of -0 a +0: codes are integers.)"""
    qmax = 2 ** (bits - 1) - 1
    amax = np.max(np.abs(x), axis=axis, keepdims=axis is not None)
    s = _nonzero(amax / np.float32(qmax))
    q = np.clip(np.rint(x / s), -qmax - 1, qmax) + np.float32(0)
    return q * s


def linear_asym(x, bits, axis=None):
    """Range widened to contain 0, integer zero-point: S = (hi - lo)/(2^b - 1),
    Z = clip(q_min - rint(lo/S)), q = clip(rint(x/S) + Z), x^ = S*(q - Z)."""
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    keep = axis is not None
    lo = np.minimum(np.min(x, axis=axis, keepdims=keep), np.float32(0))
    hi = np.maximum(np.max(x, axis=axis, keepdims=keep), np.float32(0))
    s = _nonzero((hi - lo) / np.float32(qmax - qmin))
    z = np.clip(qmin - np.rint(lo / s), qmin, qmax).astype(np.float32)
    q = np.clip(np.rint(x / s) + z, qmin, qmax)
    return (q - z) * s


def int4_group128(x):
    g = x.reshape(-1, 128)
    return linear_asym(g, 4, axis=1).reshape(x.shape)


def nf4_block64(x):
    """Blockwise absmax, nearest NF4 entry of the float32 x/absmax (ties to the lower one)."""
    b = x.reshape(-1, 64)
    amax = _nonzero(np.max(np.abs(b), axis=1, keepdims=True))
    idx = np.searchsorted(NF4_UP, b / amax, side="right")
    return (NF4[idx] * amax).reshape(x.shape)


def fp8_e4m3(x):
    """Per-tensor absmax scale onto 448, round the float32 x/S to the nearest E4M3 value
    (ties to even), saturating: step = 2^(max(e, -6) - 3) for |v| in [2^e, 2^(e+1))."""
    s = np.float32(np.max(np.abs(x)) / np.float32(448.0))
    s = s if s > 0 else np.float32(1)
    v = x / s
    a = np.abs(v)
    _, e = np.frexp(a)
    step = np.ldexp(np.float32(1), np.maximum(e - 1, -6) - 3).astype(np.float32)
    r = np.minimum(np.rint(a / step) * step, np.float32(448.0)).astype(np.float32)
    return np.copysign(r, v) * s


def mu_law8(x, mu=255.0):
    """Normalise by max|x| (float32 x/absmax), compress ln(1 + mu|x|)/ln(1 + mu) in
    float64, 256 levels on [-1, 1] (k = rint((c + 1)*255/2)), float32 levels
    ((1 + mu)^|Qc| - 1)/mu times the float32 absmax."""
    amax = np.max(np.abs(x))
    amax = amax if amax > 0 else np.float32(1)
    xn = np.clip(x / amax, np.float32(-1), np.float32(1)).astype(np.float64)
    c = np.copysign(np.minimum(np.log1p(mu * np.abs(xn)) / np.log1p(mu), 1.0), xn)
    k = np.clip(np.rint((c + 1.0) * 255.0 / 2.0), 0, 255).astype(np.intp)
    qc = (2.0 * np.arange(256) - 255.0) / 255.0
    levels = np.copysign(np.minimum(np.expm1(np.abs(qc) * np.log1p(mu)) / mu, 1.0), qc)
    return levels.astype(np.float32)[k] * amax


CASES = [
    # (name, quantlab options, numpy function)
    ("int8 sym, tensor", ["-s", "linear", "-b", "8", "--mode", "sym"], lambda x: linear_sym(x, 8)),
    ("int8 asym, tensor", ["-s", "linear", "-b", "8", "--mode", "asym"], lambda x: linear_asym(x, 8)),
    (
        "int8 sym, channel",
        ["-s", "linear", "-b", "8", "--mode", "sym", "--granularity", "channel", "--axis", "0"],
        lambda x: linear_sym(x, 8, axis=1),
    ),
    (
        "int8 asym, channel",
        ["-s", "linear", "-b", "8", "--mode", "asym", "--granularity", "channel", "--axis", "0"],
        lambda x: linear_asym(x, 8, axis=1),
    ),
    (
        "int4 asym, group 128",
        ["-s", "linear", "-b", "4", "--mode", "asym", "--granularity", "group", "--group-size", "128"],
        int4_group128,
    ),
    ("nf4, block 64", ["-s", "nf4", "--block-size", "64"], nf4_block64),
    ("fp8 e4m3, tensor", ["-s", "fp8", "--fp8", "e4m3"], fp8_e4m3),
    ("mu-law 8 bit, mu 255", ["-s", "mu-law", "-b", "8", "--mu", "255"], mu_law8),
]


def time_numpy(fn, x, repeat):
    fn(x)  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_ours(quantlab, path, opts, repeat, reference=False):
    return bench_doc(quantlab, path, opts, repeat, reference)["median_s"]


def bench_doc(quantlab, path, opts, repeat, reference=False):
    """The JSON `quantlab bench` prints: median_s, the scheme it ran, the SIMD level."""
    extra = ["--reference"] if reference else []
    out = subprocess.run(
        [quantlab, "bench", "--input", path, "--repeat", str(repeat), "--json", *extra, *opts],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def time_wasm(pkg, path, scheme, repeat, native_out):
    """Median seconds in WebAssembly and how many values differ from the native output."""
    out = subprocess.run(
        ["node", os.path.join(os.path.dirname(__file__), "bench_wasm.cjs"), pkg, path,
         json.dumps(scheme), str(repeat), native_out],
        check=True,
        capture_output=True,
        text=True,
    )
    doc = json.loads(out.stdout)
    return doc["median_s"], doc["differing"], doc["simd"]


def max_diff(quantlab, path, opts, fn, x, workdir):
    out = os.path.join(workdir, "ours.npy")
    subprocess.run(
        [quantlab, "quantize", "--input", path, "--output", out, *opts],
        check=True,
        capture_output=True,
    )
    ours = np.load(out)
    ref = fn(x)
    diff = float(np.max(np.abs(ours.astype(np.float64) - ref.astype(np.float64))))
    same = ours.dtype == ref.dtype and np.array_equal(ours.view(np.uint32), ref.view(np.uint32))
    return diff, bool(same)


def kmeans_table(quantlab, workdir, seed, repeat, n=1 << 20, k=16):
    """Exact and Lloyd k-means (k = 16) against scikit-learn's KMeans(n_init=1) on the same
    float32 data: time of the fit and the MSE each reaches."""
    try:
        from sklearn import __version__ as sk_version
        from sklearn.cluster import KMeans
    except ImportError:
        print("k-means: scikit-learn is not installed, skipped")
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n // COLS, COLS), dtype=np.float32)
    path = os.path.join(workdir, "x_kmeans.npy")
    np.save(path, x)
    flat = x.reshape(-1, 1).astype(np.float64)
    times, inertia = [], None
    for r in range(repeat):
        t0 = time.perf_counter()
        km = KMeans(n_clusters=k, n_init=1, random_state=r).fit(flat)
        times.append(time.perf_counter() - t0)
        inertia = km.inertia_ if inertia is None else min(inertia, km.inertia_)
    t_sk, mse_sk = statistics.median(times), inertia / x.size
    print()
    print(f"k-means, k = {k}, {x.size} values (standard normal float32); scikit-learn {sk_version} "
          f"KMeans(n_init=1) median fit time and its best MSE over {repeat} seeds")
    head = f"{'solver':<28} {'s':>9} {'ours/sklearn':>12} {'mse':>12} {'mse vs sklearn':>15}"
    print(head)
    print("-" * len(head))
    print(f"{'sklearn KMeans(n_init=1)':<28} {t_sk:>9.4f} {1.0:>12.3f} {mse_sk:>12.7g} {'':>15}")
    bits = str(k.bit_length() - 1)
    for label, scheme in [("quantlab kmeans-optimal", "kmeans-optimal"), ("quantlab kmeans (Lloyd)", "kmeans")]:
        opts = ["-s", scheme, "-b", bits]
        t = time_ours(quantlab, path, opts, repeat)
        out = subprocess.run([quantlab, "quantize", "--input", path, "--json", *opts],
                             check=True, capture_output=True, text=True)
        mse = json.loads(out.stdout)["metrics"]["mse"]
        print(f"{label:<28} {t:>9.4f} {t / t_sk:>12.3f} {mse:>12.7g} {mse / mse_sk - 1:>+14.2e}")
    os.remove(path)


def parse_size(s):
    s = s.strip().upper()
    mult = {"K": 1 << 10, "M": 1 << 20}.get(s[-1], 1)
    return int(s[:-1] if s[-1] in "KM" else s) * mult


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cpu_flags():
    """The SIMD flags of /proc/cpuinfo that matter here."""
    wanted = ("sse4_1", "avx", "avx2", "fma", "bmi2", "avx512f", "avx512bw", "avx512vl", "avx512dq")
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    have = set(line.split(":", 1)[1].split())
                    return " ".join(w for w in wanted if w in have)
    except OSError:
        pass
    return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quantlab", required=True, help="path of the release quantlab binary")
    ap.add_argument("--sizes", default="1M,16M", help="comma-separated sizes (K/M suffixes)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per case (median)")
    ap.add_argument("--seed", type=int, default=20240607)
    ap.add_argument("--workdir", default=".tools/bench-data")
    ap.add_argument("--wasm", help="wasm-bindgen (nodejs) output of crates/quantlab-wasm-bench")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    print(f"machine: {cpu_name()}, {os.cpu_count()} logical cores (shared, noisy)")
    print(f"cpu flags: {cpu_flags()}")
    print(f"numpy {np.__version__}, python {platform.python_version()}; median of {args.repeat} runs")
    print("ours = quantlab bench (release, opt-level 3): fit + quantize + dequantize, single thread;")
    print("  fast = vectorized one-pass path (runtime SIMD dispatch), scalar = --reference (codes, then values)")
    if args.wasm:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
        print(f"  wasm = the same core built as the web app (wasm32, simd128, opt-level 3) in Node.js {node} (V8);")
        print("  native/wasm = fast s / wasm s (1 = as fast as native); wasm= : its float32s equal the native ones")
    print()
    header = (
        f"{'case':<22} {'values':>9} {'fast s':>9} {'scalar s':>9} {'numpy s':>9} "
        f"{'fast/numpy':>10} {'numpy/fast':>10} {'max |diff|':>10} {'bits':>5}"
    )
    if args.wasm:
        header += f" {'wasm s':>9} {'native/wasm':>11} {'wasm=':>5}"
    print(header)
    print("-" * len(header))
    for size in args.sizes.split(","):
        n = parse_size(size)
        rows = max(1, n // COLS)
        rng = np.random.default_rng(args.seed)
        x = rng.standard_normal((rows, COLS), dtype=np.float32)
        path = os.path.join(args.workdir, f"x_{n}.npy")
        np.save(path, x)
        for name, opts, fn in CASES:
            t_np = time_numpy(fn, x, args.repeat)
            fast = bench_doc(args.quantlab, path, opts, args.repeat)
            t_fast = fast["median_s"]
            t_ref = time_ours(args.quantlab, path, opts, args.repeat, reference=True)
            diff, same = max_diff(args.quantlab, path, opts, fn, x, args.workdir)
            line = (
                f"{name:<22} {x.size:>9} {t_fast:>9.4f} {t_ref:>9.4f} {t_np:>9.4f} "
                f"{t_fast / t_np:>10.3f} {t_np / t_fast:>10.1f} {diff:>10.3g} {'same' if same else 'DIFF':>5}"
            )
            if args.wasm:
                native_out = os.path.join(args.workdir, "ours.npy")
                t_wasm, differing, _ = time_wasm(args.wasm, path, fast["scheme"], args.repeat, native_out)
                line += f" {t_wasm:>9.4f} {t_fast / t_wasm:>11.2f} {'same' if differing == 0 else differing:>5}"
            print(line, flush=True)
        os.remove(path)
    kmeans_table(args.quantlab, args.workdir, args.seed, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
