"""Exports the tissue model, measures it on the held-out DFUTissue half, writes the Swift fixtures.

    python3 training/tissue_export.py --checkpoint training/runs/tissue/final.pt [--json training/metrics-tissue.json]
    python3 training/tissue_export.py --evaluate-only [--model PATH] [--bootstrap 4000]   # figures of an exported file

Export: `Sources/WoundModels/Resources/wound-tissue.wmseg`, float16, a softmax over
background, slough, granulation, callus, with the crop rule of the outline's fine pass
(`finePass` in the header), which is how the runtime cuts the tissue model's crops.

Evaluation (the file's rounded weights, the runtime's crops; the held-out half only: the
last 47 DFUTissue files sorted by name, never trained on): the true wound (fibrin and
granulation pixels) is given; each of its 8-connected regions gives a box, the boxes a
crop of 2.5 times the long side (merged where crops overlap), each crop is segmented at
256 x 256 and its probabilities are sampled back bilinearly at every wound pixel; a pixel
is slough when its slough probability exceeds its granulation probability. These are the
model's own decisions: the runtime also lets the necrosis and epithelium colour rules
decide where the model finds neither (`WoundBenchmarks tissue-eval` measures the whole
classifier and the old colour rule side by side).

Fixtures (`Tests/WoundSegmentationTests/Fixtures/reference-tissue/`): for the committed
hard FUSeg crops (CC0) and their true masks, the slough and granulation probabilities of
every wound pixel, which the Swift runtime must reproduce.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch
from PIL import Image
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import dfutissue_names, grey_world, load_dfutissue_labels, normalise  # noqa: E402
from evaluate_c2f import crop_input, merged_crops  # noqa: E402
from export import FIXTURES, TISSUE_MODEL_PATH, build, load_model, read_model_file  # noqa: E402
from model import graph_ops, run_ops  # noqa: E402


def crops_of(mask: np.ndarray) -> list[tuple[float, float, float]]:
    """`FinePass.crops` on the boxes of the mask's 8-connected regions (no speck rule: every wound pixel is
    classified)."""
    labels, n = ndimage.label(mask, structure=np.ones((3, 3)))
    return merged_crops([[sl[1].start, sl[0].start, sl[1].stop, sl[0].stop]
                         for sl in ndimage.find_objects(labels)])


def sample_back(p: np.ndarray, cx: float, cy: float, side: float, h: int, w: int) -> tuple[np.ndarray, tuple]:
    """Bilinear samples of a C x S x S grid at the centres of the photo pixels inside the crop (clamped to the
    grid's outer centres), as `FinePass.sample`; returns C x rows x cols and the pixel window."""
    size = p.shape[1]
    step = side / size
    x0, y0 = max(0, int(np.floor(cx - side / 2))), max(0, int(np.floor(cy - side / 2)))
    x1, y1 = min(w, int(np.ceil(cx + side / 2))), min(h, int(np.ceil(cy + side / 2)))

    def taps(lo, hi, origin):
        u = np.clip((np.arange(lo, hi) + 0.5 - origin) / step - 0.5, 0, size - 1)
        i0 = u.astype(np.int64)
        return i0, np.minimum(i0 + 1, size - 1), (u - i0).astype(np.float32)

    c0, c1, wx = taps(x0, x1, cx - side / 2)
    r0, r1, wy = taps(y0, y1, cy - side / 2)
    top = p[:, r0][:, :, c0] * (1 - wx) + p[:, r0][:, :, c1] * wx
    bottom = p[:, r1][:, :, c0] * (1 - wx) + p[:, r1][:, :, c1] * wx
    return top * (1 - wy[None, :, None]) + bottom * wy[None, :, None], (y0, y1, x0, x1)


def wound_probabilities(header: dict, blob: torch.Tensor, image: np.ndarray, mask: np.ndarray,
                        grey: bool = False) -> np.ndarray:
    """4 x H x W class probabilities at the wound pixels (zero elsewhere); with `grey`, each crop's input
    white-balanced by the grey world (data.grey_world) first."""
    h, w = mask.shape
    out = np.zeros((4, h, w), dtype=np.float32)
    for cx, cy, side in crops_of(mask):
        x = crop_input(image, cx, cy, side)
        if grey:
            x = grey_world(x)
        t = torch.from_numpy(((x.astype(np.float32) - 127.0) / 128.0).transpose(2, 0, 1).copy())[None]
        with torch.no_grad():
            p = torch.softmax(run_ops(header["ops"], blob, t), 1)[0].numpy()
        values, (y0, y1, x0, x1) = sample_back(p, cx, cy, side, h, w)
        inside = mask[y0:y1, x0:x1] > 0
        window = out[:, y0:y1, x0:x1]
        window[:, inside] = values[:, inside]
    return out


def evaluate(header: dict, blob: torch.Tensor, grey: bool = False, bootstrap: int = 0) -> dict:
    """The held-out figures; with `bootstrap` > 0, also their 95 % intervals over that many resamplings of
    the photos (with replacement, a fixed seed), the uncertainty that comes from having 46 photos."""
    _, held_out = dfutissue_names()
    inter = {1: 0, 2: 0}
    union = {1: 0, 2: 0}
    share_errors = {1: [], 2: []}
    per_photo = []  # slough intersection, union, granulation intersection, union, granulation share error
    for name in held_out:
        image, labels = load_dfutissue_labels(name)
        wound = (labels == 1) | (labels == 2)
        if not wound.any():
            continue
        p = wound_probabilities(header, blob, image, wound.astype(np.uint8), grey)
        pred = np.where(p[1] > p[2], 1, 2)
        truth = labels[wound]
        guess = pred[wound]
        row = []
        for c in (1, 2):
            inter[c] += int(((guess == c) & (truth == c)).sum())
            union[c] += int(((guess == c) | (truth == c)).sum())
            share_errors[c].append(abs(float((guess == c).mean()) - float((truth == c).mean())))
            row += [int(((guess == c) & (truth == c)).sum()), int(((guess == c) | (truth == c)).sum())]
        per_photo.append(row + [share_errors[2][-1]])
    figures = {
        "photos": len(share_errors[1]),
        "slough IoU pooled": inter[1] / union[1],
        "granulation IoU pooled": inter[2] / union[2],
        "slough share mean absolute error": float(np.mean(share_errors[1])),
        "granulation share mean absolute error": float(np.mean(share_errors[2])),
    }
    if bootstrap > 0:
        rows = np.array(per_photo, dtype=np.float64)
        rng = np.random.default_rng(20261203)
        samples = []
        for _ in range(bootstrap):
            r = rows[rng.integers(0, len(rows), len(rows))]
            samples.append((r[:, 0].sum() / r[:, 1].sum(), r[:, 2].sum() / r[:, 3].sum(), r[:, 4].mean()))
        low, high = np.percentile(np.array(samples), [2.5, 97.5], axis=0)
        for k, key in enumerate(("slough IoU pooled", "granulation IoU pooled", "granulation share mean absolute error")):
            figures[key + ", 95 % over photos"] = [float(low[k]), float(high[k])]
    for key, value in figures.items():
        if isinstance(value, list):
            print(f"{key}: {value[0]:.3f}-{value[1]:.3f}")
        else:
            print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    return figures


def write_fixtures(header: dict, blob: torch.Tensor, sha: str) -> None:
    folder = os.path.join(FIXTURES, "reference-tissue")
    os.makedirs(folder, exist_ok=True)
    hard = os.path.join(FIXTURES, "hard")
    summary = {}
    for photo in sorted(n for n in os.listdir(hard) if n.endswith(".jpg")):
        image = np.asarray(Image.open(os.path.join(hard, photo)).convert("RGB"))
        mask = (np.asarray(Image.open(os.path.join(hard, photo[:-4] + "-mask.png")).convert("L")) > 127).astype(np.uint8)
        p = wound_probabilities(header, blob, image, mask)
        name = photo[:-4]
        with open(os.path.join(folder, name + ".f32"), "wb") as f:
            f.write(np.stack([p[1], p[2]]).astype("<f4").tobytes())
        wound = mask > 0
        summary[name] = {"woundPixels": int(wound.sum()), "sloughShare": float((p[1] > p[2])[wound].mean())}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump({"modelSHA256": sha, "layout": "float32 little-endian, two planes (slough, granulation) of "
                   "height x width, 0 outside the mask", "photos": summary,
                   "source": "training/tissue_export.py on the hard fixtures and their true masks"}, f, indent=2)
        f.write("\n")
    print(f"tissue fixtures: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint")
    parser.add_argument("--model", default=TISSUE_MODEL_PATH)
    parser.add_argument("--evaluate-only", action="store_true")
    parser.add_argument("--json")
    parser.add_argument("--grey-world", action="store_true", help="evaluate with grey-world crops (tissue_train.py)")
    parser.add_argument("--bootstrap", type=int, default=0,
                        help="also the figures' 95 %% intervals over this many resamplings of the held-out photos")
    args = parser.parse_args()
    if not args.evaluate_only:
        model, info = load_model(args.checkpoint, classes=4)
        training = {
            "data": "DFUTissue fit half (the first 47 files sorted by name; Dhar M. K. et al., arXiv 2406.16012, "
                    "2024): 0 background, 1 fibrin (slough), 2 granulation, 3 callus",
            "split": "held out: the last 47 files sorted by name (training/tissue_export.py measures them)",
            "init": "the outline model wound-segmentation.wmseg (folded batch norm fixed), new 4-class head",
            "recipe": "training/tissue_train.py: 256x256 views around a wound (1.5-3.5x its box) or the whole "
                      "photo, flips, rotations, colour jitter, blur, JPEG; cross-entropy over the 4 classes + "
                      "slough/granulation cross-entropy on wound pixels + soft Dice; AdamW, warm-up, cosine",
            **info,
        }
        data, ops, blob = build(model, "float16", training, fine_pass=True)
        with open(args.model, "wb") as f:
            f.write(data)
        sha = hashlib.sha256(data).hexdigest()
        print(f"wrote {args.model}: {len(data)} bytes, {blob.numel()} weights, sha256 {sha}")
        header, file_blob = read_model_file(args.model)
        exact = torch.from_numpy(
            torch.cat([t.flatten() for _, ts in graph_ops(model) for t in ts]).numpy().astype(np.float32))
        x = torch.from_numpy(normalise(np.zeros((64, 64, 3), dtype=np.uint8) + 120))[None]
        with torch.no_grad():
            difference = float((model(x) - run_ops(header["ops"], exact, x)).abs().max())
        assert difference < 1e-3, f"op list does not reproduce the module ({difference})"
        # The Swift fixtures follow the shipped file only (export.py does the same).
        if os.path.abspath(args.model) == os.path.abspath(TISSUE_MODEL_PATH):
            write_fixtures(header, file_blob, sha)
    header, file_blob = read_model_file(args.model)
    figures = evaluate(header, file_blob, args.grey_world, args.bootstrap)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
