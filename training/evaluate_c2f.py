"""Validation figures of an exported `.wmseg` file, coarse pass alone and coarse to fine.

    python3 training/evaluate_c2f.py [--model PATH] [--json out.json] [--limit N] [--data fuseg|dfutissue]

Runs the file's op list with its rounded weights, as the Swift runtime does, on the
FUSeg validation part (photos whose number is divisible by 5; never trained on):

- coarse: the photo (512 x 512) averaged in 2 x 2 blocks (float means, not rounded: `AreaDownscaler`) to the working size 256,
  probabilities resized back bilinearly, threshold 0.5 (= `evaluate.py`);
- fine: the coarse mask's 8-connected regions (speck rule: at least 4 working cells
  and 0.1 % of the largest) give boxes; each box becomes a square crop of side
  `FINE_MARGIN` x its long side (at least `FINE_MIN_SIDE` photo pixels) around its
  centre, overlapping crops merge into the crop of their boxes' union; each crop is
  averaged in k x k blocks (k = max(1, floor(side / 256))) and sampled bilinearly
  on a 256 x 256 grid (taps outside the photo: black, as in training), segmented,
  and its probabilities sampled back bilinearly at every photo pixel of the crop;
  the outline is fine probability > 0.5 inside the crops, nothing outside.
  This is the rule `Segmenter` implements (docs/segmentation.md).

With `--data dfutissue` the same figures are taken on the DFUTissue held-out half (the last
47 files sorted by name, never trained on by either model; wound = fibrin + granulation,
callus is not wound), photos from another camera and clinic than FUSeg's.

Prints, per mode: mean per-image Dice, pooled Dice, median and p90 absolute area
error (photos with a wound), the direction of the misses (median signed area error, and
the share of the worst tenth whose outline is too large), and mean Dice by wound size
(thirds of the true area).
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
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import dfutissue_names, load_dfutissue, load_photo, normalise, split  # noqa: E402
from export import MODEL_PATH, read_model_file  # noqa: E402
from model import run_ops  # noqa: E402

FINE_MARGIN = 2.5
FINE_MIN_SIDE = 48
FINE_SIZE = 256
MIN_CELLS = 4
MIN_FRACTION = 0.001


def probs(header, blob, rgb: np.ndarray) -> np.ndarray:
    x = torch.from_numpy(normalise(rgb))[None]
    with torch.no_grad():
        return torch.sigmoid(run_ops(header["ops"], blob, x))[0, 0].numpy()


def working_factor(h: int, w: int) -> int:
    """`Segmenter`'s working factor: the smallest integer bringing the long side to at most 320."""
    return max(1, -(-max(h, w) // 320))


def coarse(header, blob, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell probabilities and their bilinear resampling to the photo (sides multiples of the factor and of 32)."""
    h, w = image.shape[:2]
    f = working_factor(h, w)
    small = block_means(image, f)
    sh, sw = small.shape[:2]
    # padded to multiples of 32 by repeating the last column and row, as `Segmenter` does
    padded = np.pad(small, ((0, -sh % 32), (0, -sw % 32), (0, 0)), mode="edge")
    p = probs(header, blob, padded)[:sh, :sw]
    full = F.interpolate(torch.from_numpy(p)[None, None], size=(h, w), mode="bilinear", align_corners=False)[0, 0].numpy()
    return p, full


def block_means(image: np.ndarray, f: int) -> np.ndarray:
    """The photo averaged in f x f blocks as float32, not rounded (`AreaDownscaler`); blocks cut by the
    photo's right and bottom edges average what they hold."""
    h, w = image.shape[:2]
    bh, bw = -(-h // f), -(-w // f)
    sums = np.zeros((bh * f, bw * f, 3), dtype=np.float64)
    counts = np.zeros((bh * f, bw * f), dtype=np.float64)
    sums[:h, :w] = image
    counts[:h, :w] = 1
    block = sums.reshape(bh, f, bw, f, 3).sum(axis=(1, 3)) / counts.reshape(bh, f, bw, f).sum(axis=(1, 3))[..., None]
    return block.astype(np.float32)


def fine_crops(cells: np.ndarray, factor: int, h: int, w: int) -> list[tuple[float, float, float]]:
    """Square crops (cx, cy, side) in photo pixel-edge coordinates from the coarse cell mask
    (the rule of `FinePass.crops`)."""
    labels, n = ndimage.label(cells, structure=np.ones((3, 3)))
    if n == 0:
        return []
    areas = np.bincount(labels.ravel())[1:]
    limit = max(MIN_CELLS, int(np.ceil(MIN_FRACTION * areas.max())))
    boxes = []
    for k in range(1, n + 1):
        if areas[k - 1] < limit:
            continue
        ys, xs = np.nonzero(labels == k)
        x0, y0 = xs.min() * factor, ys.min() * factor
        x1, y1 = min(w, (xs.max() + 1) * factor), min(h, (ys.max() + 1) * factor)
        boxes.append([x0, y0, x1, y1])
    return merged_crops(boxes)


def merged_crops(boxes: list[list[int]]) -> list[tuple[float, float, float]]:
    """Square crops (cx, cy, side) of boxes [x0, y0, x1, y1]: side `FINE_MARGIN` x the long side (at least
    `FINE_MIN_SIDE`) around the centre; overlapping crops merge into the crop of their boxes' union until none
    overlap; sorted by the boxes' top, then left (`FinePass.crops`)."""
    boxes = [list(b) for b in boxes]

    def crop_of(b):
        side = max(float(FINE_MIN_SIDE), FINE_MARGIN * max(b[2] - b[0], b[3] - b[1]))
        return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, side)

    def overlap(a, b):
        return abs(a[0] - b[0]) * 2 < a[2] + b[2] and abs(a[1] - b[1]) * 2 < a[2] + b[2]

    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                if overlap(crop_of(boxes[i]), crop_of(boxes[j])):
                    a, b = boxes[i], boxes[j]
                    boxes[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    boxes.sort(key=lambda b: (b[1], b[0]))
    return [crop_of(b) for b in boxes]


def crop_input(image: np.ndarray, cx: float, cy: float, side: float, size: int = FINE_SIZE) -> np.ndarray:
    """The crop as the network sees it (`FinePass.input`): k x k block means, k = max(1, floor(side / size)),
    sampled bilinearly at the centres of a size x size grid; taps outside the photo read black. Float RGB."""
    k = max(1, int(np.floor(side / size)))
    blocks = block_means(image, k)
    bh, bw = blocks.shape[:2]
    step = side / size
    u = np.arange(size)
    px = (cx - side / 2 + (u + 0.5) * step) / k - 0.5
    py = (cy - side / 2 + (u + 0.5) * step) / k - 0.5
    x0 = np.floor(px).astype(int)
    y0 = np.floor(py).astype(int)
    wx = (px - x0).astype(np.float32)
    wy = (py - y0).astype(np.float32)
    out = np.zeros((size, size, 3), dtype=np.float32)
    for dy, fy in ((0, 1 - wy), (1, wy)):
        rows = y0 + dy
        row_in = (rows >= 0) & (rows < bh)
        for dx, fx in ((0, 1 - wx), (1, wx)):
            cols = x0 + dx
            col_in = (cols >= 0) & (cols < bw)
            vals = blocks[np.clip(rows, 0, bh - 1)][:, np.clip(cols, 0, bw - 1)]
            weight = (fy * row_in)[:, None] * (fx * col_in)[None, :]
            out += vals * weight[..., None]
    return out


def fine(header, blob, image: np.ndarray, cells: np.ndarray, factor: int, fill_holes: bool = False) -> np.ndarray:
    h, w = image.shape[:2]
    out = np.zeros((h, w), dtype=bool)
    for cx, cy, side in fine_crops(cells, factor, h, w):
        crop = crop_input(image, cx, cy, side)
        x = torch.from_numpy(((crop - 127.0) / 128.0).transpose(2, 0, 1).copy())[None]
        with torch.no_grad():
            p = torch.sigmoid(run_ops(header["ops"], blob, x))[0, 0].numpy()
        step = side / FINE_SIZE
        x0, y0 = cx - side / 2, cy - side / 2
        xa, xb = max(0, int(np.floor(x0))), min(w, int(np.ceil(x0 + side)))
        ya, yb = max(0, int(np.floor(y0))), min(h, int(np.ceil(y0 + side)))
        gx = np.clip((np.arange(xa, xb) + 0.5 - x0) / step - 0.5, 0, FINE_SIZE - 1)
        gy = np.clip((np.arange(ya, yb) + 0.5 - y0) / step - 0.5, 0, FINE_SIZE - 1)
        ix0 = gx.astype(int)
        iy0 = gy.astype(int)
        ix1 = np.minimum(ix0 + 1, FINE_SIZE - 1)
        iy1 = np.minimum(iy0 + 1, FINE_SIZE - 1)
        fx = (gx - ix0).astype(np.float32)[None, :]
        fy = (gy - iy0).astype(np.float32)[:, None]
        top = p[iy0][:, ix0] * (1 - fx) + p[iy0][:, ix1] * fx
        bottom = p[iy1][:, ix0] * (1 - fx) + p[iy1][:, ix1] * fx
        out[ya:yb, xa:xb] |= (top * (1 - fy) + bottom * fy) > 0.5
    # The speck rule once more on the final regions, in photo pixels (as `Segmenter`).
    labels, n = ndimage.label(out, structure=np.ones((3, 3)))
    if n:
        areas = np.bincount(labels.ravel())[1:]
        limit = max(MIN_CELLS * factor * factor, int(np.ceil(MIN_FRACTION * areas.max())))
        out &= np.isin(labels, np.nonzero(areas >= limit)[0] + 1)
    if fill_holes:
        # background not 4-connected to the photo's border is wound (`--fill-holes`)
        out = ndimage.binary_fill_holes(out)
    return out


def figures(preds: list[np.ndarray], truths: list[np.ndarray]) -> dict:
    dices, errors, signed, sizes = [], [], [], []
    tp = fp = fn = 0
    for pred, truth in zip(preds, truths):
        inter = int((pred & truth).sum())
        denom = int(pred.sum() + truth.sum())
        dices.append(1.0 if denom == 0 else 2.0 * inter / denom)
        tp += inter
        fp += int((pred & ~truth).sum())
        fn += int((~pred & truth).sum())
        sizes.append(int(truth.sum()))
        if truth.sum() > 0:
            signed.append((int(pred.sum()) - int(truth.sum())) / int(truth.sum()) * 100.0)
            errors.append(abs(signed[-1]))
    dices = np.array(dices)
    sizes = np.array(sizes)
    errors = np.array(errors)
    p90 = float(np.percentile(errors, 90))
    wound = sizes > 0
    cut = np.quantile(sizes[wound], [1 / 3, 2 / 3])
    by_size = {
        "small": float(dices[wound & (sizes <= cut[0])].mean()),
        "medium": float(dices[wound & (sizes > cut[0]) & (sizes <= cut[1])].mean()),
        "large": float(dices[wound & (sizes > cut[1])].mean()),
    }
    return {
        "photos": len(dices),
        "meanDice": float(dices.mean()),
        "pooledDice": 2.0 * tp / max(1, 2 * tp + fp + fn),
        "precision": tp / max(1, tp + fp),
        "recall": tp / max(1, tp + fn),
        "medianAbsAreaErrorPercent": float(np.median(errors)),
        "p90AbsAreaErrorPercent": p90,
        # the direction of the misses: the signed error's median, and the share of the
        # worst tenth (by absolute error) whose outline is too large
        "medianSignedAreaErrorPercent": float(np.median(signed)),
        "worstTenthTooLargeShare": float(np.mean(np.array(signed)[errors >= p90] > 0)),
        "meanDiceBySize": by_size,
        "sizeThirdsPixels": [int(cut[0]), int(cut[1])],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=MODEL_PATH)
    parser.add_argument("--json")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", default="fuseg", choices=["fuseg", "dfutissue"],
                        help="FUSeg validation part, or the DFUTissue held-out half")
    parser.add_argument("--part", default="validation", choices=["validation", "train"],
                        help="FUSeg: the validation part (reported) or the training part (for deciding rules)")
    parser.add_argument("--fill-holes", action="store_true", help="fill the fine outline's holes")
    parser.add_argument("--per-photo", help="CSV of each photo's true, predicted and common pixel counts")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    header, blob = read_model_file(args.model)
    if args.data == "fuseg":
        numbers = split()[1] if args.part == "validation" else split()[0]
        load = load_photo
    else:
        numbers = dfutissue_names()[1]
        load = load_dfutissue
    if args.limit:
        numbers = numbers[:args.limit]
    truths, coarse_preds, fine_preds = [], [], []
    for n in numbers:
        image, mask = load(n)
        cells_p, full = coarse(header, blob, image)
        truths.append(mask > 0)
        coarse_preds.append(full > 0.5)
        fine_preds.append(fine(header, blob, image, cells_p > 0.5, working_factor(*mask.shape),
                               args.fill_holes))
    if args.per_photo:
        with open(args.per_photo, "w") as f:
            f.write("photo,truth,coarse_predicted,coarse_both,fine_predicted,fine_both\n")
            for n, t, c, p in zip(numbers, truths, coarse_preds, fine_preds):
                name = f"{n:04d}.jpg" if isinstance(n, int) else n
                f.write(f"{name},{int(t.sum())},{int(c.sum())},{int((c & t).sum())},{int(p.sum())},{int((p & t).sum())}\n")
    result = {"model": os.path.relpath(args.model), "data": args.data, "coarse": figures(coarse_preds, truths),
              "fine": figures(fine_preds, truths),
              "rule": {"margin": FINE_MARGIN, "minimumSidePixels": FINE_MIN_SIDE, "cropSize": FINE_SIZE}}
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
