"""Pseudo-labels of slough and granulation on the FUSeg training photos, from the tissue model.

    python3 training/tissue_pseudo.py --model Sources/WoundModels/Resources/wound-tissue.wmseg \
        --out training/runs/pseudo [--confidence 0.7]

For each FUSeg *training* photo (the outline's validation part, numbers divisible by 5,
is left out), the model runs on the photo's true wound the way the runtime does
(`tissue_export.wound_probabilities`). A wound pixel where the model's slough and
granulation probabilities sum to less than 0.5 (the runtime's threshold: the model sees
neither, as on black eschar, which DFUTissue labels background) gets label 0
(background), so that the student, like the teacher, leaves such pixels to the colour
rules; elsewhere it gets 1 (slough) or 2 (granulation) where the larger of the two holds
at least `confidence` of their sum, and 255 (ignored in training) otherwise. Pixels
outside the wound are ignored too (FUSeg does not tell callus from other skin). Written
as 8-bit PNGs `NNNN.png`.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import load_photo, split  # noqa: E402
from export import TISSUE_MODEL_PATH, read_model_file  # noqa: E402
from tissue_export import wound_probabilities  # noqa: E402

IGNORE = 255


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=TISSUE_MODEL_PATH)
    parser.add_argument("--out", default="training/runs/pseudo")
    parser.add_argument("--confidence", type=float, default=0.7)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    header, blob = read_model_file(args.model)
    train, _ = split()
    kept = total = 0
    for number in train:
        image, mask = load_photo(number)
        labels = np.full(mask.shape, IGNORE, dtype=np.uint8)
        if mask.any():
            p = wound_probabilities(header, blob, image, mask)
            s, g = p[1], p[2]
            wound = mask > 0
            neither = wound & (s + g < 0.5)
            confident = wound & ~neither & (np.maximum(s, g) >= args.confidence * (s + g))
            labels[confident] = np.where(s > g, 1, 2)[confident]
            labels[neither] = 0
            kept += int(confident.sum() + neither.sum())
            total += int(mask.sum())
        Image.fromarray(labels).save(os.path.join(args.out, f"{number:04d}.png"))
    print(f"{len(train)} photos, {kept} of {total} wound pixels labelled ({kept / max(1, total):.3f})")


if __name__ == "__main__":
    main()
