#!/usr/bin/env python3
"""Writes eight 12-megapixel (4000 x 3000) JPEGs from the sample photos, for the
`measure` benchmark (docs/benchmarks.md, "Whole measurement").

Each of the six `samples/photos` (1600 x 1200, one marker each) is enlarged 2.5x
(Lanczos), given a little deterministic per-pixel noise so the file decodes like
a camera photo rather than a smooth enlargement, and saved at quality 90, 4:2:0,
keeping the sample's EXIF (capture time). Two more are the first two turned by
180 degrees (the marker still reads). Deterministic: the same files every run.

    python3 tools/benchmarks/make_12mp_photos.py OUTPUT_FOLDER
"""

import os
import sys

import numpy as np
from PIL import Image

SAMPLES = [
    "P001/left-heel/2026-09-07_1.jpg",
    "P001/left-heel/2026-09-21_1.jpg",
    "P001/left-heel/2026-10-05_1.jpg",
    "P001/left-heel/2026-10-26_1.jpg",
    "P002/right-hallux/2026-10-12_1.jpg",
    "P003/left-plantar/2026-10-19_1.jpg",
]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    root = os.path.join(os.path.dirname(__file__), "..", "..", "samples", "photos")
    jobs = [(name, False) for name in SAMPLES] + [(SAMPLES[0], True), (SAMPLES[4], True)]
    for index, (name, turned) in enumerate(jobs):
        source = Image.open(os.path.join(root, name))
        exif = source.info.get("exif", b"")
        big = source.convert("RGB").resize((4000, 3000), Image.LANCZOS)
        if turned:
            big = big.transpose(Image.ROTATE_180)
        rng = np.random.default_rng(1000 + index)
        pixels = np.asarray(big, dtype=np.int16) + rng.integers(-3, 4, size=(3000, 4000, 3), dtype=np.int16)
        big = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        target = os.path.join(out, f"photo{index + 1}-{os.path.basename(name)[:-4]}{'-turned' if turned else ''}.jpg")
        big.save(target, quality=90, subsampling=2, exif=exif)
        print(target, os.path.getsize(target) // 1024, "KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
