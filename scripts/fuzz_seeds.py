"""Writes the seed inputs of every fuzz target into fuzz/corpus/<target>/seed-*.

Small, valid (and a few nearly valid) files of each format, so the fuzzer starts from the
shapes real inputs have. Deterministic; run with any Python 3 that has numpy:
    python3 scripts/fuzz_seeds.py
"""

import io
import json
import struct
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent / "fuzz" / "corpus"


def put(target: str, name: str, data: bytes) -> None:
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data)


def npy_bytes(a: np.ndarray) -> bytes:
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


def safetensors(tensors: dict) -> bytes:
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


def main() -> None:
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 8)).astype(np.float32)
    put("npy", "f4", npy_bytes(w))
    put("npy", "f2", npy_bytes(w.astype(np.float16)))
    put("npy", "f8-fortran", npy_bytes(np.asfortranarray(w.astype(np.float64))))
    put("npy", "i2", npy_bytes(np.arange(6, dtype=np.int16).reshape(2, 3)))
    put("npy", "be-f4", npy_bytes(w.astype(">f4")))

    put("safetensors", "floats", safetensors({
        "a": ("F32", [4, 8], w.tobytes()),
        "b": ("BF16", [2], bytes([0, 63, 0, 192])),
        "c": ("F16", [2], np.array([1.5, -2], dtype=np.float16).tobytes()),
    }))
    put("safetensors", "fp8-scale", safetensors({
        "fc.weight": ("F8_E4M3", [2, 2], bytes([0x38, 0x40, 0xB8, 0x7E])),
        "fc.weight_scale": ("F32", [2], np.array([0.5, 0.25], dtype=np.float32).tobytes()),
        "ids": ("I32", [1], struct.pack("<i", 7)),
    }))

    ref = Path(__file__).resolve().parent.parent / "crates/quantlab-core/tests/data/ref.gguf"
    g = ref.read_bytes()
    put("gguf", "ref", g)
    put("gguf", "header-only", g[:16000])

    for bits, width in [(16, 2), (8, 1)]:
        b = io.BytesIO()
        with wave.open(b, "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(width)
            f.setframerate(8000)
            t = np.arange(64)
            s = np.sin(2 * np.pi * t / 16)
            if width == 2:
                f.writeframes((s * 12000).astype("<i2").tobytes())
            else:
                f.writeframes((128 + s * 100).astype(np.uint8).tobytes())
        put("wav", f"pcm{bits}", b.getvalue())

    put("csv", "comma", b"x,y\n0.5,-1\n2.25,3e-2\n")
    put("csv", "semicolon-decimal-comma", "0,5;−1,25\n2;3\n".encode())
    put("csv", "column", b"# a comment\n1\n2\n3.5\n-4\n")

    img = struct.pack(">IIII", 0x803, 2, 3, 3) + bytes(range(18))
    lab = struct.pack(">II", 0x801, 2) + bytes([3, 7])
    put("idx", "images", img)
    put("idx", "labels", lab)
    put("idx", "pair", bytes([int(256 * len(img) / (len(img) + len(lab)))]) + img + lab)

    put("cifar", "one", bytes([3]) + bytes(range(256)) * 12)

    put("hf_config", "llama", json.dumps({
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
        "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
        "num_key_value_heads": 32, "vocab_size": 32000, "max_position_embeddings": 4096,
        "tie_word_embeddings": False, "torch_dtype": "float16"}).encode())
    put("hf_config", "moe", json.dumps({
        "model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336,
        "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
        "vocab_size": 32000, "num_local_experts": 8, "num_experts_per_tok": 2}).encode())

    for i, q in enumerate([
        "lab=signal&signal=sine&n=4096&amp=1&freq=123.4&bits=8&mode=mid-rise",
        "lab=signal&signal=speech&n=4096&bits=8&mode=sym&compare=true&cmp.scheme=mu-law&cmp.bits=8",
        "lab=memory&preset=llama31-8b&context=8192",
        "lab=weight&rows=1024&cols=1024&granularity=group&group_size=128&bits=4&mode=sym",
        "lab=mlp&dataset=digits&hidden=128,64&optimizer=sgd&lr=0.05&epochs=20&seed=3",
        "bits=99&n=-1&scheme=nope&views=transfer,,x&%ZZ=1",
    ]):
        put("url_state", str(i), q.encode())

    put("drawn", "empty", b"")
    put("drawn", "text", b"AAECAwQFBgcICQ")

    vals = np.linspace(-1, 1, 64, dtype=np.float32)
    for k in [0, 3, 7, 12, 20, 25, 30]:
        put("scheme", f"kind{k}", bytes([k, 4, k % 3, 16, 8]) + vals.tobytes())
    put("scheme", "nan", bytes([0, 8, 0, 0, 1]) + np.array([1, np.nan, 2], dtype=np.float32).tobytes())

    put("pack", "4bit", bytes([4]) + np.arange(16, dtype="<u4").tobytes())
    put("pack", "3bit", bytes([3]) + np.array([7, 0, 5, 9], dtype="<u4").tobytes())


if __name__ == "__main__":
    main()
