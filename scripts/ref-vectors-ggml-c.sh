#!/usr/bin/env bash
# Regenerates crates/quantlab-core/tests/data/ggml_c_ref.json: the bytes ggml's own C
# reference quantizers write for the inputs of ggml_ref.json, for the types `gguf` cannot
# quantize (IQ4_NL, the K-quants, Q8_K) and, as a cross-check, the legacy ones.
#
# Usage: scripts/ref-vectors-ggml-c.sh /path/to/ggml   (a checkout of ggml-org/ggml, or
# llama.cpp's ggml/ folder; GGML_COMMIT=… names the commit when it is not a git checkout). Needs gcc and the venv of scripts/ref-vectors-ggml.sh (numpy).
# Built with -ffp-contract=off: ggml's results depend on fused multiply-add, and quantlab
# follows the unfused evaluation of a baseline x86-64 build.
set -euo pipefail
cd "$(dirname "$0")/.."
ggml=${1:?usage: $0 GGML_DIR}
venv=.tools/ref-venv-ggml
[ -x "$venv/bin/python" ] || { echo "run scripts/ref-vectors-ggml.sh first" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags=(-O2 -ffp-contract=off -std=gnu11 -w -I"$ggml/include" -I"$ggml/src")
gcc "${cflags[@]}" -c "$ggml/src/ggml-quants.c" -o "$tmp/quants.o"
gcc "${cflags[@]}" scripts/ggml_oracle.c "$tmp/quants.o" -lm -o "$tmp/oracle"

"$venv/bin/python" - "$tmp/oracle" "${GGML_COMMIT:-$(git -C "$ggml" rev-parse HEAD 2>/dev/null || echo unknown)}" <<'PY'
import base64, json, subprocess, sys
oracle, commit = sys.argv[1], sys.argv[2]
ref = json.load(open("crates/quantlab-core/tests/data/ggml_ref.json"))
types = {"Q8_0": "q8_0", "Q4_0": "q4_0", "Q4_1": "q4_1", "Q5_0": "q5_0", "Q5_1": "q5_1",
         "IQ4_NL": "iq4_nl", "IQ4_NL_REF": "iq4_nl_ref", "Q2_K": "q2_K", "Q3_K": "q3_K",
         "Q4_K": "q4_K", "Q5_K": "q5_K", "Q6_K": "q6_K", "Q8_K": "q8_K"}
rows = []
for name, arg in types.items():
    for case, x in ref["inputs"].items():
        out = subprocess.run([oracle, arg], input=base64.b64decode(x), capture_output=True,
                             check=True).stdout
        rows.append({"type": name, "input": case, "bytes": base64.b64encode(out).decode()})
doc = {"generator": "scripts/ref-vectors-ggml-c.sh", "ggml_commit": commit,
       "inputs_from": "ggml_ref.json", "quantize": rows}
with open("crates/quantlab-core/tests/data/ggml_c_ref.json", "w") as f:
    json.dump(doc, f, indent=0)
    f.write("\n")
print(f"wrote {len(rows)} rows", file=sys.stderr)
PY
