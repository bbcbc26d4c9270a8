"""Evaluates an exported `.wmseg` file on the FUSeg validation part.

    python3 training/evaluate.py [--model Sources/WoundModels/Resources/wound-segmentation.wmseg]
                                 [--flip] [--json out.json]

Runs the file's op list with the file's (rounded) weights, exactly as the Swift
runtime does: each 512 x 512 photo is reduced to the training size (256) by 2x2
averaging, normalised, segmented; the probabilities are resized back to 512 x 512
(bilinear, align_corners=False) and thresholded at 0.5. With --flip the
probabilities are averaged with those of the horizontally mirrored photo.

Prints mean per-image Dice (empty truth and empty prediction count as 1), pooled
Dice, pooled precision and recall, and the mean absolute area error in percent
(over photos with a non-empty truth).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import load_photo, normalise, split  # noqa: E402
from export import MODEL_PATH, read_model_file  # noqa: E402
from model import run_ops  # noqa: E402


def evaluate(model_path: str, flip: bool, threshold: float = 0.5) -> dict:
    header, blob = read_model_file(model_path)
    size = header["input"]["trainingSize"]
    _, val_numbers = split()
    dices, area_errors = [], []
    tp = fp = fn = 0
    for number in val_numbers:
        image, mask = load_photo(number)
        h, w = mask.shape
        small = np.asarray(Image.fromarray(image).resize((size, size), Image.BOX))
        x = torch.from_numpy(normalise(small))[None]
        with torch.no_grad():
            p = torch.sigmoid(run_ops(header["ops"], blob, x))
            if flip:
                pf = torch.sigmoid(run_ops(header["ops"], blob, torch.flip(x, [3])))
                p = 0.5 * (p + torch.flip(pf, [3]))
            p = F.interpolate(p, size=(h, w), mode="bilinear", align_corners=False)[0, 0].numpy()
        pred = p > threshold
        truth = mask > 0
        inter = int((pred & truth).sum())
        denom = int(pred.sum() + truth.sum())
        dices.append(1.0 if denom == 0 else 2.0 * inter / denom)
        tp += inter
        fp += int((pred & ~truth).sum())
        fn += int((~pred & truth).sum())
        if truth.sum() > 0:
            area_errors.append(abs(int(pred.sum()) - int(truth.sum())) / int(truth.sum()) * 100.0)
    dices = np.array(dices)
    return {
        "model": os.path.relpath(model_path),
        "photos": len(val_numbers),
        "flip": flip,
        "threshold": threshold,
        "meanDice": float(dices.mean()),
        "medianDice": float(np.median(dices)),
        "photosDiceBelow0.5": int((dices < 0.5).sum()),
        "pooledDice": 2.0 * tp / max(1, 2 * tp + fp + fn),
        "precision": tp / max(1, tp + fp),
        "recall": tp / max(1, tp + fn),
        "meanAbsAreaErrorPercent": float(np.mean(area_errors)),
        "medianAbsAreaErrorPercent": float(np.median(area_errors)),
        "photosWithWound": len(area_errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=MODEL_PATH)
    parser.add_argument("--flip", action="store_true", help="average with the horizontally mirrored photo")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result = evaluate(args.model, args.flip)
    for key, value in result.items():
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
