"""Reference vectors for quantlab's ggml blocks, written by `gguf` (llama.cpp's Python package).

Run through scripts/ref-vectors-ggml.sh, which installs numpy and gguf into a venv. Two steps:

  ref_ggml.py inputs OUT.json
      Seeded inputs (normal data, data with outliers, all-zero blocks, tiny values, ...),
      gguf's quantized bytes for every type gguf can quantize, and gguf's dequantization of
      random byte blocks (independent of quantlab) for every type it can dequantize.

  ref_ggml.py decode OUT.json QUANTLAB_BYTES.json
      Adds gguf's dequantization of the bytes quantlab wrote for the same inputs
      (QUANTLAB_BYTES.json comes from the ignored test `write_quantlab_bytes` in
      crates/quantlab-core/tests/ggml_reference.rs).

Arrays are stored as base64 of little-endian bytes (f32 values, u8 blocks).
"""

import base64
import json
import sys
from importlib.metadata import version

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import GGML_QUANT_SIZES, quants

# The ggml types quantlab implements, in its order.
TYPES = ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL",
         "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"]

# Byte offsets of the fp16 scale fields of each block, made finite in the random blocks.
F16_FIELDS = {
    "Q8_0": [0], "Q4_0": [0], "Q4_1": [0, 2], "Q5_0": [0], "Q5_1": [0, 2], "IQ4_NL": [0],
    "Q2_K": [80, 82], "Q3_K": [108], "Q4_K": [0, 2], "Q5_K": [0, 2], "Q6_K": [208],
}

RANDOM_BLOCKS = 4


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def unb64(s: str, dtype) -> np.ndarray:
    return np.frombuffer(base64.b64decode(s), dtype=dtype)


def inputs() -> dict[str, np.ndarray]:
    """Fixed, seeded inputs; every length is a multiple of 256 (gguf needs whole blocks)."""
    rng = np.random.default_rng(20251201)
    normal = rng.standard_normal(512).astype(np.float32)
    outliers = (rng.standard_normal(512) * 0.5).astype(np.float32)
    outliers[[3, 77, 200, 301, 302, 480]] = [40.0, -55.0, 90.0, -120.0, 64.0, 300.0]
    zeros = np.zeros(256, dtype=np.float32)
    # Half the super-block zero, so some sub-blocks (and 32-blocks) are all zero.
    half_zero = rng.standard_normal(256).astype(np.float32)
    half_zero[:128] = 0.0
    tiny = (rng.standard_normal(256) * 1e-5).astype(np.float32)
    subnormal_scale = (rng.standard_normal(256) * 1e-8).astype(np.float32)
    laplace = rng.laplace(0.0, 1.0, 512).astype(np.float32)
    positive = rng.uniform(0.5, 3.0, 256).astype(np.float32)
    ramp = np.linspace(-4.0, 4.0, 256, dtype=np.float32)
    # One huge outlier (still within fp16 once divided by the codes' range).
    spike = (rng.standard_normal(256) * 0.1).astype(np.float32)
    spike[17] = 2000.0
    return {
        "normal": normal, "outliers": outliers, "zeros": zeros, "half_zero": half_zero,
        "tiny": tiny, "subnormal_scale": subnormal_scale, "laplace": laplace,
        "positive": positive, "ramp": ramp, "spike": spike,
    }


def random_blocks(name: str, rng: np.random.Generator) -> np.ndarray:
    """Random bytes for RANDOM_BLOCKS blocks of `name`, with finite fp16 scales."""
    _, size = GGML_QUANT_SIZES[T[name]]
    raw = rng.integers(0, 256, size=(RANDOM_BLOCKS, size), dtype=np.uint8)
    for k, off in enumerate(F16_FIELDS[name]):
        mag = 10.0 ** rng.uniform(-7.0, 2.0, RANDOM_BLOCKS)
        d = (rng.standard_normal(RANDOM_BLOCKS) * mag).astype(np.float16)
        if k == 0:
            d[0] = 0.0  # the first block's (first) scale is zero
        raw[:, off:off + 2] = d.view(np.uint8).reshape(RANDOM_BLOCKS, 2)
    return raw


def try_quantize(x: np.ndarray, name: str):
    try:
        return quants.quantize(x.reshape(1, -1), T[name]).reshape(-1)
    except NotImplementedError:
        return None


def try_dequantize(raw: np.ndarray, name: str):
    try:
        return quants.dequantize(raw.reshape(1, -1), T[name]).reshape(-1).astype(np.float32)
    except NotImplementedError:
        return None


def make_inputs(out_path: str) -> None:
    xs = inputs()
    rng = np.random.default_rng(7)
    out = {
        "generator": "scripts/ref_ggml.py",
        "gguf": version("gguf"),
        "numpy": version("numpy"),
        "inputs": {k: b64(v) for k, v in xs.items()},
        "quantizes": [],
        "dequantizes_only": [],
        "neither": [],
        "quantize": [],
        "dequantize": [],
    }
    for name in TYPES:
        q = try_quantize(xs["normal"], name)
        d = try_dequantize(q, name) if q is not None else None
        if d is None and name in F16_FIELDS:
            raw = random_blocks(name, rng)
            d = try_dequantize(raw, name)
        if q is not None:
            out["quantizes"].append(name)
        elif d is not None:
            out["dequantizes_only"].append(name)
        else:
            out["neither"].append(name)
    for name in out["quantizes"]:
        for case, x in xs.items():
            q = try_quantize(x, name)
            out["quantize"].append({"type": name, "input": case, "bytes": b64(q)})
    for name in out["quantizes"] + out["dequantizes_only"]:
        if name not in F16_FIELDS:
            continue
        raw = random_blocks(name, rng)
        vals = try_dequantize(raw, name)
        out["dequantize"].append(
            {"type": name, "source": "random", "bytes": b64(raw), "values": b64(vals)})
    with open(out_path, "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")


def decode_quantlab(out_path: str, quantlab_path: str) -> None:
    with open(out_path) as f:
        out = json.load(f)
    with open(quantlab_path) as f:
        ql = json.load(f)
    can = set(out["quantizes"]) | set(out["dequantizes_only"])
    out["dequantize"] = [e for e in out["dequantize"] if e["source"] == "random"]
    for e in ql["rows"]:
        if e["type"] not in can:
            continue
        raw = unb64(e["bytes"], np.uint8)
        vals = try_dequantize(raw, e["type"])
        out["dequantize"].append({
            "type": e["type"], "source": "quantlab:" + e["input"],
            "bytes": e["bytes"], "values": b64(vals)})
    with open(out_path, "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "inputs":
        make_inputs(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "decode":
        decode_quantlab(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
