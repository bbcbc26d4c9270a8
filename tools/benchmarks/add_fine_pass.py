#!/usr/bin/env python3
"""Copies a .wmseg model file with a `finePass` rule added to its JSON header.

Offline tooling for the benchmarks (the coarse-to-fine pass is switched on by the
model file, see docs/segmentation.md). The weight blob is copied unchanged; only
the header and the zero padding after it are rewritten.

    python3 tools/benchmarks/add_fine_pass.py \
        Sources/WoundModels/Resources/wound-segmentation.wmseg /tmp/fine.wmseg

Layout: 8 bytes "WMSEG01\\n", UInt32 little-endian JSON length N, N bytes of JSON,
zero bytes up to a multiple of 4 from the file start, then the weights.
"""

import json
import struct
import sys

MAGIC = b"WMSEG01\n"
DEFAULT_RULE = {"marginFactor": 2.5, "minimumSidePixels": 48, "cropSizePixels": 256}


def padded(length: int) -> int:
    return (length + 3) // 4 * 4


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    data = open(argv[1], "rb").read()
    if data[:8] != MAGIC:
        print(f"{argv[1]}: not a .wmseg file", file=sys.stderr)
        return 1
    (length,) = struct.unpack_from("<I", data, 8)
    header = json.loads(data[12 : 12 + length].decode("utf-8"))
    weights = data[padded(12 + length) :]
    header["finePass"] = DEFAULT_RULE
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    out = MAGIC + struct.pack("<I", len(text)) + text
    out += b"\0" * (padded(len(out)) - len(out))
    with open(argv[2], "wb") as f:
        f.write(out + weights)
    print(f"{argv[2]}: finePass {json.dumps(DEFAULT_RULE)}, {len(weights)} bytes of weights")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
