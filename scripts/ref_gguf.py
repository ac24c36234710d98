"""A reference GGUF file and what `gguf` (llama.cpp's Python package) reads from it.

Run through scripts/ref-vectors-gguf.sh. Writes

  OUT_DIR/ref.gguf        a small GGUF file written by gguf.GGUFWriter: metadata of every
                          value type (and a long token list), and one tensor per ggml type
                          quantlab lists (quantized by gguf where it can, else seeded random
                          blocks with finite scales);
  OUT_DIR/gguf_ref.json   what gguf.GGUFReader reads back: the metadata keys (in file order) and values, every
                          tensor's name, type, shape (ggml's ne, innermost first), element
                          count, byte count and absolute data offset, and gguf's dequantized
                          values (base64 of little-endian f32) for every type it decodes.

crates/quantlab-core/tests/gguf_reference.rs reads both and checks quantlab's reader against
them value for value, bit for bit.
"""

import base64
import json
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf import GGML_QUANT_SIZES, quants

# Byte offsets of the float scale fields in each block type, made finite in random blocks:
# (offset, 'f16' | 'f32').
SCALE_FIELDS = {
    "Q8_0": [(0, "f16")], "Q4_0": [(0, "f16")], "Q4_1": [(0, "f16"), (2, "f16")],
    "Q5_0": [(0, "f16")], "Q5_1": [(0, "f16"), (2, "f16")], "IQ4_NL": [(0, "f16")],
    "Q2_K": [(80, "f16"), (82, "f16")], "Q3_K": [(108, "f16")], "Q4_K": [(0, "f16"), (2, "f16")],
    "Q5_K": [(0, "f16"), (2, "f16")], "Q6_K": [(208, "f16")], "Q8_K": [(0, "f32")],
    "IQ2_XXS": [(0, "f16")],
}

# Tensor types in the file: those quantlab decodes, then two it only lists.
DECODED = ["F32", "F16", "BF16", "F64", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL",
           "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "MXFP4", "NVFP4"]
LISTED = ["IQ2_XXS", "I32"]


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def random_blocks(rng, name: str, rows: int, cols: int) -> np.ndarray:
    block, size = GGML_QUANT_SIZES[T[name]]
    n = rows * cols // block
    raw = rng.integers(0, 256, size=(n, size), dtype=np.uint8)
    for off, kind in SCALE_FIELDS.get(name, []):
        if kind == "f16":
            vals = rng.uniform(-0.05, 0.05, n).astype(np.float16)
            raw[:, off:off + 2] = vals.view(np.uint8).reshape(n, 2)
        else:
            vals = rng.uniform(-0.05, 0.05, n).astype(np.float32)
            raw[:, off:off + 4] = vals.view(np.uint8).reshape(n, 4)
    return raw.reshape(rows, cols // block * size)


def tensor_data(rng, name: str, rows: int, cols: int):
    """(array for GGUFWriter, raw_dtype, how the bytes were made)."""
    x = (rng.standard_normal((rows, cols)) * 0.02).astype(np.float32)
    x[0, 5] = 0.4  # an outlier in the first block
    if name == "F32":
        return x, None, "values"
    if name == "F16":
        return x.astype(np.float16), None, "values"
    if name == "F64":
        return x.astype(np.float64), None, "values"
    if name == "BF16":
        return quants.quantize(x, T.BF16), T.BF16, "gguf.quants.quantize"
    if name == "I32":
        return rng.integers(-1000, 1000, size=(rows, cols), dtype=np.int32), None, "values"
    try:
        return quants.quantize(x, T[name]), T[name], "gguf.quants.quantize"
    except NotImplementedError:
        return random_blocks(rng, name, rows, cols), T[name], "random blocks"


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261201)
    path = out / "ref.gguf"
    w = gguf.GGUFWriter(str(path), arch="llama")
    w.add_name("quantlab reference")
    w.add_uint32("llama.block_count", 2)
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_int32("test.i32", -2_000_000_000)
    w.add_float32("test.f32", 0.1)
    w.add_bool("test.bool", True)
    w.add_uint64("test.u64", 2**63 + 5)
    w.add_int64("test.i64", -(2**62))
    w.add_float64("test.f64", 1e-300)
    w.add_string("test.long_string", "quantização " * 40)
    w.add_array("tokenizer.ggml.tokens", [f"tok{i}" for i in range(1000)] + ["olá"])
    w.add_array("test.ints", list(range(20)))
    made = {}
    shapes = {}
    for name in DECODED + LISTED:
        block = GGML_QUANT_SIZES[T[name]][0] if name in T.__members__ else 1
        cols = max(256, block)
        rows = 3 if name != "F32" else 6
        arr, raw_dtype, how = tensor_data(rng, name, rows, cols)
        made[name] = how
        tname = f"t.{name.lower()}"
        if name == "F32":
            # A 3-D tensor: ne = (256, 3, 2).
            w.add_tensor(tname, arr.reshape(2, 3, cols))
        elif raw_dtype is None:
            w.add_tensor(tname, arr)
        else:
            w.add_tensor(tname, arr, raw_dtype=raw_dtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    r = gguf.GGUFReader(str(path))
    metadata = []
    for key, field in r.fields.items():
        if key.startswith("GGUF."):
            continue
        vt = [t.name for t in field.types]
        if vt[0] == "ARRAY":
            if vt[1] == "STRING":
                vals = [bytes(field.parts[i]).decode("utf-8") for i in field.data]
            else:
                vals = [field.parts[i].tolist()[0] for i in field.data]
            metadata.append({"key": key, "types": vt, "len": len(vals), "head": vals[:8]})
        elif vt[0] == "STRING":
            metadata.append({"key": key, "types": vt,
                             "value": bytes(field.parts[field.data[0]]).decode("utf-8")})
        else:
            v = field.parts[field.data[0]].tolist()[0]
            if vt[0] in ("FLOAT32", "FLOAT64"):
                v = float(np.float64(field.parts[field.data[0]][0]))
            metadata.append({"key": key, "types": vt, "value": v})
    tensors = []
    for t in r.tensors:
        entry = {
            "name": t.name,
            "type": t.tensor_type.name,
            "ne": [int(d) for d in t.shape],
            "n_elements": int(t.n_elements),
            "n_bytes": int(t.n_bytes),
            "data_offset": int(t.data_offset),
            "made_by": made[t.tensor_type.name],
        }
        if t.tensor_type.name in DECODED:
            if t.tensor_type.name == "F64":
                vals = np.asarray(t.data).astype(np.float32)
            elif t.tensor_type.name == "Q8_K":
                # gguf does not decode Q8_K (ggml only uses it for dot products); its layout is
                # f32 d | int8 qs[256] | int16 bsums[16], and a value is d * q, in f32.
                raw = np.asarray(t.data, dtype=np.uint8).reshape(-1, 292)
                d = raw[:, :4].copy().view("<f4")
                q = raw[:, 4:260].copy().view(np.int8).astype(np.float32)
                vals = d * q
            else:
                vals = quants.dequantize(np.asarray(t.data), t.tensor_type)
            entry["values_f32"] = b64(np.asarray(vals, dtype="<f4").reshape(-1))
        tensors.append(entry)
    doc = {
        "generator": f"scripts/ref_gguf.py with gguf {version('gguf')}, numpy {np.__version__}",
        "alignment": int(r.alignment),
        "data_offset": int(r.data_offset),
        "file_bytes": path.stat().st_size,
        "metadata": metadata,
        "tensors": tensors,
    }
    (out / "gguf_ref.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes) and gguf_ref.json", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
