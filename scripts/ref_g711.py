#!/usr/bin/env python3
"""Reference values for the G.711 codecs, from Python's `audioop` (CPython 3.11 stdlib;
on 3.13+ install the PyPI package `audioop-lts`, which provides the same module).

For every 16-bit PCM sample x in -32768..=32767 it records the G.711 byte
`lin2ulaw(x)` / `lin2alaw(x)` and the decoded sample `ulaw2lin(byte)` / `alaw2lin(byte)`.
The bytes are monotone in x, so the file stores runs: one line per change,

    <law> <first x of the run> <byte> <decoded sample>

with law `mu` or `a`. `crates/quantlab-core/tests/g711_reference.rs` expands the runs back
to all 65,536 inputs and checks the core's `mu-law-g711` and `a-law-g711` against them
(`cargo test`, no Python needed).

Usage: python3 scripts/ref_g711.py > crates/quantlab-core/tests/data/g711_reference.txt
"""
import struct
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

LAWS = [("mu", audioop.lin2ulaw, audioop.ulaw2lin), ("a", audioop.lin2alaw, audioop.alaw2lin)]


def main() -> None:
    out = sys.stdout
    out.write("# G.711 reference: audioop (Python %s), 16-bit PCM, runs of (law, first x, byte, decoded)\n"
              % sys.version.split()[0])
    for law, encode, decode in LAWS:
        previous = None
        runs = 0
        for x in range(-32768, 32768):
            byte = encode(struct.pack("<h", x), 2)[0]
            decoded = struct.unpack("<h", decode(bytes([byte]), 2))[0]
            if (byte, decoded) != previous:
                out.write(f"{law} {x} {byte} {decoded}\n")
                previous = (byte, decoded)
                runs += 1
        print(f"{law}: {runs} runs over 65536 inputs", file=sys.stderr)


if __name__ == "__main__":
    main()
