#!/usr/bin/env python3
"""Reference vectors for quantlab's MX / NVFP4 formats (crates/quantlab-core/src/quant/mx/).

Run through scripts/ref-vectors.sh (it makes the venv with numpy and ml-dtypes). Writes

  crates/quantlab-core/tests/data/mx_casts.bin   element and scale casts, by ml_dtypes
  crates/quantlab-core/tests/data/mx_blocks.bin  MX and NVFP4 quantize -> dequantize

which crates/quantlab-core/tests/mx_reference.rs checks bit for bit, without Python.
Everything is seeded: the same numpy / ml_dtypes versions write the same bytes.

Layouts (all little-endian):

mx_casts.bin
  b"QLMXCST1", u32 n
  n x u32                 the f32 inputs (bit patterns)
  for each format F of CAST_FORMATS:
    n x u8                ml_dtypes: np.float32 -> F (x.astype(F))
    n x u8                saturating: x.clip(-max, max).astype(F) for non-NaN x, as above for
                          NaN (only the five element formats, not E8M0)
  for each format F of CAST_FORMATS:
    2^bits(F) x u32       every code of F decoded by ml_dtypes to f32

mx_blocks.bin
  b"QLMXBLK1", u32 cases
  each case:
    u8 kind               0..5 = MX element (MX_ELEMENTS order), 6 = NVFP4
    u32 n, n x u32        the f32 inputs
    MX:    ceil(n/32) x u8 E8M0 scales, n x u8 element codes, n x u32 dequantized f32
    NVFP4: u32 tensor scale (f32), ceil(n/16) x u8 E4M3 scales, n x u8 E2M1 codes,
           n x u32 dequantized f32

The block rules below are direct transcriptions: MX from the OCP MX v1.0 spec, section 6.3
(shared_exp = floor(log2(amax)) - emax_elem, clamped to the E8M0 range, a NaN scale for
a block with NaN or Inf, elements cast with round-to-nearest-even and saturation), and
NVFP4 from NVIDIA TensorRT Model Optimizer's NVFP4QTensor (weights, dynamic path), in f32.
"""

import os
import struct
import sys

import ml_dtypes as md
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates",
                   "quantlab-core", "tests", "data")

F32 = np.float32
# (ml_dtypes type, bits, MX emax_elem)
CAST_FORMATS = [
    (md.float8_e4m3fn, 8, 8),
    (md.float8_e5m2, 8, 15),
    (md.float6_e3m2fn, 6, 4),
    (md.float6_e2m3fn, 6, 2),
    (md.float4_e2m1fn, 4, 2),
    (md.float8_e8m0fnu, 8, None),
]
# MX element types in quantlab's MxElement::ALL order; None = INT8.
MX_ELEMENTS = [
    (md.float8_e4m3fn, 8, 8),
    (md.float8_e5m2, 8, 15),
    (md.float6_e3m2fn, 6, 4),
    (md.float6_e2m3fn, 6, 2),
    (md.float4_e2m1fn, 4, 2),
    (None, 8, 0),
]


def decode_all(t, bits):
    """Every code of t (as uint8) decoded to f32."""
    return np.arange(1 << bits, dtype=np.uint8).view(t).astype(F32)


def fmax(t):
    return float(md.finfo(t).max)


def cast_inputs(rng):
    """Representable values, midpoints (ties) and their f32 neighbours, the overflow edges,
    specials, subnormals and random values: a few thousand f32, deduplicated by bits."""
    xs = []
    for t, bits, _ in CAST_FORMATS:
        vals = decode_all(t, bits)
        xs.append(vals)
        pos = np.unique(vals[np.isfinite(vals) & (vals >= 0)].astype(np.float64))
        mids = ((pos[:-1] + pos[1:]) / 2).astype(F32)
        xs += [mids, np.nextafter(mids, F32(np.inf)), np.nextafter(mids, F32(0)), -mids]
        top = F32(fmax(t))
        # Past the max: the tie with the next (missing) binade step, and beyond.
        step = top - F32(pos[-2]) if len(pos) > 1 else top
        edge = np.array([top + step / 2, top + step / 4, top * 1.5, top * 2, top * 1e3],
                        dtype=F32)
        xs += [edge, np.nextafter(edge, F32(np.inf)), np.nextafter(edge, F32(0)), -edge]
    specials = np.array([0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000,
                         0xFFC00000, 0x7F800001, 0xFFBFFFFF, 0x7F7FFFFF, 0xFF7FFFFF,
                         0x00000001, 0x80000001, 0x007FFFFF, 0x00400000, 0x00600000,
                         0x00800000, 0x3F7FFFFF, 0x3FBFFFFF, 0x3FC00000, 0x7F000000,
                         0x7F400000, 0x7F3FFFFF], dtype=np.uint32).view(F32)
    xs.append(specials)
    xs.append(rng.integers(0, 2**32, 800, dtype=np.uint64).astype(np.uint32).view(F32))
    mag = np.exp2(rng.uniform(-20, 20, 1200)).astype(F32)
    xs.append(np.where(rng.random(1200) < 0.5, -mag, mag).astype(F32))
    allx = np.concatenate([np.asarray(a, dtype=F32) for a in xs])
    _, idx = np.unique(allx.view(np.uint32), return_index=True)
    return allx[np.sort(idx)]


def write_casts(path, rng):
    with np.errstate(over="ignore", invalid="ignore"):
        x = cast_inputs(rng)
    out = bytearray(b"QLMXCST1")
    out += struct.pack("<I", len(x))
    out += x.view(np.uint32).astype("<u4").tobytes()
    with np.errstate(over="ignore", invalid="ignore"):
        for t, _, emax in CAST_FORMATS:
            out += x.astype(t).view(np.uint8).tobytes()
            if emax is not None:
                m = F32(fmax(t))
                sat = np.where(np.isnan(x), x, np.clip(x, -m, m)).astype(F32)
                out += sat.astype(t).view(np.uint8).tobytes()
    for t, bits, _ in CAST_FORMATS:
        out += decode_all(t, bits).view(np.uint32).astype("<u4").tobytes()
    with open(path, "wb") as f:
        f.write(out)
    return len(x)


# ---- MX, OCP MX v1.0 section 6.3 -------------------------------------------------------

def mx_block(c, t, emax):
    """One block (<= 32 f32 values): (E8M0 scale, element codes, dequantized f32)."""
    n = len(c)
    if not np.all(np.isfinite(c)):
        return 0xFF, np.zeros(n, np.uint8), np.full(n, np.nan, F32)
    amax = float(np.max(np.abs(c.astype(np.float64))))
    if amax == 0.0:
        shared = -127                      # floor(log2(0)) = -inf, clamped
    else:
        _, e = np.frexp(amax)              # amax = m * 2^e, m in [0.5, 1): exact
        shared = int(e) - 1 - emax         # floor(log2(amax)) - emax_elem
        shared = max(-127, min(127, shared))
    scale = 2.0 ** shared                  # exact in float64
    v = c.astype(np.float64) / scale       # exact in float64
    if t is None:                          # MXINT8: two's complement, implicit 2^-6
        q = np.clip(np.rint(v * 64.0), -127, 127).astype(np.int8)
        codes = q.view(np.uint8)
        value = q.astype(np.float64) / 64.0
    else:
        m = fmax(t)
        e = np.clip(v, -m, m).astype(t)    # round to nearest even, saturating
        codes = e.view(np.uint8)
        value = e.astype(np.float64)
    return shared + 127, codes, (value * scale).astype(F32)


def mx_quantize(x, t, emax):
    scales, codes, deq = [], [], []
    for i in range(0, len(x), 32):
        s, c, d = mx_block(x[i:i + 32], t, emax)
        scales.append(s)
        codes.append(c)
        deq.append(d)
    return (np.array(scales, np.uint8), np.concatenate(codes), np.concatenate(deq))


# ---- NVFP4, TensorRT Model Optimizer NVFP4QTensor (f32 throughout) ---------------------

def nvfp4_quantize(x):
    x = x.astype(F32)
    amax = np.max(np.abs(x))
    s2 = F32(amax / F32(6.0 * 448.0))
    scales, codes, deq = [], [], []
    for i in range(0, len(x), 16):
        c = x[i:i + 16]
        if s2 == 0:
            sc = np.array(1.0, F32).astype(md.float8_e4m3fn)
        else:
            sb = F32(np.max(np.abs(c)) / F32(F32(6.0) * s2))
            if sb == 0:
                sb = F32(1.0)
            sb = max(sb, F32(2.0 ** -9))
            sc = np.array(min(sb, F32(448.0)), F32).astype(md.float8_e4m3fn)
        d = F32(F32(sc.astype(F32)) * s2)
        if d == 0:
            q = np.zeros(len(c), np.uint8)
        else:
            scaled = (c / d).astype(F32)
            q = np.clip(scaled, F32(-6.0), F32(6.0)).astype(md.float4_e2m1fn).view(np.uint8)
        vals = q.view(md.float4_e2m1fn).astype(F32)
        scales.append(int(np.array(sc).view(np.uint8)))
        codes.append(q)
        deq.append((vals * d).astype(F32))
    return s2, np.array(scales, np.uint8), np.concatenate(codes), np.concatenate(deq)


def mx_cases(rng, t, bits, emax):
    """Inputs for one element type: random rows, wide ranges, every tie of the element grid
    under several scales (clamped ones included), edges, NaN/Inf blocks."""
    cases = [rng.standard_normal(400).astype(F32)]
    wide = rng.standard_normal((12, 32)) * np.exp2(rng.integers(-140, 120, (12, 1)))
    cases.append(wide.astype(F32).ravel())
    if t is None:
        grid = np.arange(127) / 64.0
        top = 127.0 / 64.0
    else:
        grid = np.unique(np.abs(decode_all(t, bits).astype(np.float64)))
        grid = grid[np.isfinite(grid)]
        top = fmax(t)
    ties = (grid[:-1] + grid[1:]) / 2
    ties = np.concatenate([ties, -ties])
    blocks = []
    for k in (-140, -3, 0, 100):
        for i in range(0, len(ties), 30):
            # 1.5 * 2^emax and -max set the shared exponent to k; the rest are ties.
            vals = np.zeros(32)
            vals[0], vals[1] = 1.5 * 2.0 ** emax, -top
            chunk = ties[i:i + 30]
            vals[2:2 + len(chunk)] = chunk
            blocks.append((vals * 2.0 ** k).astype(F32))
    blocks.append(np.zeros(32, F32))
    blocks.append(np.array([3e38] + [1.0] * 31, F32))
    blocks.append(np.array([-3.4e38] + [-1e30] * 31, F32))
    blocks.append(np.array([1e-45 * (i + 1) for i in range(32)], F32))
    blocks.append(np.full(32, np.uint32(0x3F7FFFFF).view(F32)))
    blocks.append(np.array([-0.0] * 16 + [1e-30] * 16, F32))
    cases.append(np.concatenate(blocks))
    special = rng.standard_normal((3, 32)).astype(F32)
    special[0, 5] = np.nan
    special[1, 0] = np.inf
    special[2, 31] = -np.inf
    cases.append(np.concatenate([special.ravel(), rng.standard_normal(7).astype(F32)]))
    return cases


def nvfp4_cases(rng):
    wide = rng.standard_normal((40, 16)) * np.exp2(rng.integers(-24, 24, (40, 1)))
    outlier = rng.standard_normal(96).astype(F32)
    outlier[40] = 3e38
    return [
        rng.standard_normal(1000).astype(F32),
        wide.astype(F32).ravel(),
        np.zeros(20, F32),
        np.full(16, np.uint32(1).view(F32)),
        outlier,
        (rng.standard_normal(333) * 1e-38).astype(F32),
        np.linspace(-6.5, 6.5, 160).astype(F32),
        # All-zero blocks (scale 1.0) between others.
        np.concatenate([np.zeros(16), rng.standard_normal(16), np.zeros(37)]).astype(F32),
    ]


def write_blocks(path, rng):
    out = bytearray(b"QLMXBLK1")
    body = bytearray()
    count = 0
    u32 = lambda a: np.asarray(a, F32).view(np.uint32).astype("<u4").tobytes()
    with np.errstate(over="ignore", invalid="ignore"):
        for kind, (t, bits, emax) in enumerate(MX_ELEMENTS):
            for x in mx_cases(rng, t, bits, emax):
                s, c, d = mx_quantize(x, t, emax)
                body += struct.pack("<BI", kind, len(x)) + u32(x)
                body += s.tobytes() + c.tobytes() + u32(d)
                count += 1
        for x in nvfp4_cases(rng):
            s2, s, c, d = nvfp4_quantize(x)
            body += struct.pack("<BI", 6, len(x)) + u32(x)
            body += u32([s2]) + s.tobytes() + c.tobytes() + u32(d)
            count += 1
    out += struct.pack("<I", count) + body
    with open(path, "wb") as f:
        f.write(out)
    return count


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20251201)
    n = write_casts(os.path.join(OUT, "mx_casts.bin"), rng)
    cases = write_blocks(os.path.join(OUT, "mx_blocks.bin"), rng)
    print(f"ml_dtypes {md.__version__}, numpy {np.__version__}: {n} cast inputs, "
          f"{cases} block cases -> {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
