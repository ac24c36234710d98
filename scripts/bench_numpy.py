"""Time quantize -> dequantize in NumPy and in quantlab on the same seeded data.

Run through scripts/bench-numpy.sh, which installs NumPy into .tools/ and builds the CLI.
For each size it writes seeded standard-normal float32 data of shape [n / 1024, 1024] as
.npy, times each case in NumPy (in this process) and with `quantlab bench` (fit, quantize
and dequantize, the same work), checks that both give the same values (`max |diff|`, from
`quantlab quantize --output`), and prints a table with the ratio ours / numpy.

Both sides compute the scales from the data on every run; NumPy works in float32 (what a
NumPy user writes), quantlab in f64 internally, so a value exactly halfway between two
levels can land one level apart.
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
NF4_MID = (NF4[1:] + NF4[:-1]) / 2


def _nonzero(s):
    return np.where(s == 0, np.float32(1), s)


def linear_sym(x, bits, axis=None):
    """S = max|x| / (2^(b-1) - 1), q = clip(rint(x/S), -2^(b-1), 2^(b-1) - 1), x^ = S*q."""
    qmax = 2 ** (bits - 1) - 1
    amax = np.max(np.abs(x), axis=axis, keepdims=axis is not None)
    s = _nonzero(amax / np.float32(qmax))
    q = np.clip(np.rint(x / s), -qmax - 1, qmax)
    return q * s


def linear_asym(x, bits, axis=None):
    """Range widened to contain 0, integer zero-point: S = (hi - lo)/(2^b - 1),
    Z = clip(q_min - rint(lo/S)), q = clip(rint(x/S) + Z), x^ = S*(q - Z)."""
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    keep = axis is not None
    lo = np.minimum(np.min(x, axis=axis, keepdims=keep), 0)
    hi = np.maximum(np.max(x, axis=axis, keepdims=keep), 0)
    s = _nonzero((hi - lo) / np.float32(qmax - qmin))
    z = np.clip(qmin - np.rint(lo / s), qmin, qmax)
    q = np.clip(np.rint(x / s) + z, qmin, qmax)
    return (q - z) * s


def int4_group128(x):
    g = x.reshape(-1, 128)
    return linear_asym(g, 4, axis=1).reshape(x.shape)


def nf4_block64(x):
    """Blockwise absmax, nearest NF4 entry (ties to the lower one)."""
    b = x.reshape(-1, 64)
    amax = _nonzero(np.max(np.abs(b), axis=1, keepdims=True))
    idx = np.searchsorted(NF4_MID, b / amax, side="left")
    return (NF4[idx] * amax).reshape(x.shape)


def fp8_e4m3(x):
    """Per-tensor absmax scale onto 448, round to nearest E4M3 value (ties to even),
    saturating: step = 2^(max(e, -6) - 3) for |v| in [2^e, 2^(e+1))."""
    s = np.float32(np.max(np.abs(x)) / np.float32(448.0))
    s = s if s > 0 else np.float32(1)
    v = x / s
    a = np.abs(v)
    _, e = np.frexp(a)
    step = np.ldexp(np.float32(1), np.maximum(e - 1, -6) - 3)
    r = np.minimum(np.rint(a / step) * step, np.float32(448.0))
    return np.copysign(r, v) * s


def mu_law8(x, mu=255.0):
    """Normalise by max|x|, compress ln(1 + mu|x|)/ln(1 + mu), 256 levels on [-1, 1]
    (k = rint((c + 1)/dc), dc = 2/255), expand ((1 + mu)^|Qc| - 1)/mu."""
    amax = np.max(np.abs(x))
    amax = amax if amax > 0 else np.float32(1)
    xn = x / amax
    lm = np.float32(np.log1p(mu))
    c = np.sign(xn) * np.log1p(np.float32(mu) * np.abs(xn)) / lm
    dc = np.float32(2.0 / 255.0)
    k = np.clip(np.rint((c + 1) / dc), 0, 255)
    qc = k * dc - 1
    return np.sign(qc) * np.expm1(np.abs(qc) * lm) / np.float32(mu) * amax


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


def time_ours(quantlab, path, opts, repeat):
    out = subprocess.run(
        [quantlab, "bench", "--input", path, "--repeat", str(repeat), "--json", *opts],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)["median_s"]


def max_diff(quantlab, path, opts, fn, x, workdir):
    out = os.path.join(workdir, "ours.npy")
    subprocess.run(
        [quantlab, "quantize", "--input", path, "--output", out, *opts],
        check=True,
        capture_output=True,
    )
    ours = np.load(out)
    return float(np.max(np.abs(ours.astype(np.float64) - fn(x).astype(np.float64))))


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quantlab", required=True, help="path of the release quantlab binary")
    ap.add_argument("--sizes", default="1M,16M", help="comma-separated sizes (K/M suffixes)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per case (median)")
    ap.add_argument("--seed", type=int, default=20240607)
    ap.add_argument("--workdir", default=".tools/bench-data")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    print(f"machine: {cpu_name()}, {os.cpu_count()} logical cores (shared, noisy)")
    print(f"numpy {np.__version__}, python {platform.python_version()}; median of {args.repeat} runs")
    print("ours = quantlab bench (release, opt-level 3): fit + quantize + dequantize, single thread")
    print()
    header = f"{'case':<22} {'values':>9} {'numpy s':>10} {'ours s':>10} {'ours/numpy':>10} {'max |diff|':>11}"
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
            t_ours = time_ours(args.quantlab, path, opts, args.repeat)
            diff = max_diff(args.quantlab, path, opts, fn, x, args.workdir)
            print(
                f"{name:<22} {x.size:>9} {t_np:>10.4f} {t_ours:>10.4f} {t_ours / t_np:>10.2f} {diff:>11.3g}",
                flush=True,
            )
        os.remove(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
