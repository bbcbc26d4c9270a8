"""Fits the slough-versus-granulation rule of the tissue classifier on the fit half of DFUTissue.

    python3 training/tissue_fit.py [/work/shared/datasets/dfutissue-trainval]

Data: DFUTissue (Dhar M. K. et al., "Wound Tissue Segmentation in Diabetic Foot
Ulcer Images Using Deep Learning: A Pilot Study", arXiv 2406.16012, 2024),
labels 0 background, 1 fibrin (slough), 2 granulation, 3 callus. The files,
sorted by name, are split in two fixed halves: the first half (47 photos) fits
the rule here, the second half is only used by the Swift evaluation
(`WoundBenchmarks tissue-eval`).

Colours are normalised the way `TissueClassifier` does without a colour
reference (grey world over the whole photo, gains clamped to [0.5, 2]) and
converted to CIELAB (sRGB, D65). The rule is Fisher's linear discriminant
between fibrin and granulation pixels (pooled covariance), with the threshold
that maximises the mean of the two IoUs on the fit half. The printed constants
are copied into `Sources/WoundSegmentation/TissueRules.swift`.
"""

from __future__ import annotations

import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import grey_world  # noqa: E402


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB 0-255 (float) -> CIELAB, D65 white, as `TissueColour.lab` computes it."""
    c = rgb / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375],
                  [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def main() -> None:
    root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets/dfutissue-trainval"
    names = sorted(n[:-4] for n in os.listdir(os.path.join(root, "images")) if n.endswith(".jpg"))
    fit = names[:len(names) // 2]
    print(f"fit half: {len(fit)} photos, {fit[0]}..{fit[-1]}")
    features, labels = [], []
    for name in fit:
        rgb = np.asarray(Image.open(os.path.join(root, "images", name + ".jpg")).convert("RGB")).astype(np.float64)
        label = np.asarray(Image.open(os.path.join(root, "labels", name + ".png")))
        inside = (label == 1) | (label == 2)
        features.append(srgb_to_lab(grey_world(rgb))[inside])
        labels.append(label[inside])
    x = np.concatenate(features)
    y = np.concatenate(labels)
    mean_slough, mean_gran = x[y == 1].mean(0), x[y == 2].mean(0)
    pooled = np.cov(x[y == 1].T) + np.cov(x[y == 2].T)
    w = np.linalg.solve(pooled, mean_slough - mean_gran)
    w = w / np.abs(w).sum()  # scale is arbitrary; normalise for readability
    score = x @ w

    def mean_iou(t: float) -> tuple[float, float, float]:
        pred = np.where(score > t, 1, 2)
        ious = [((pred == c) & (y == c)).sum() / ((pred == c) | (y == c)).sum() for c in (1, 2)]
        return (float(np.mean(ious)), float(ious[0]), float(ious[1]))

    candidates = np.round(np.percentile(score, np.arange(10, 90, 0.5)), 4)
    best = max(candidates, key=lambda t: mean_iou(float(t))[0])
    m, iou_slough, iou_gran = mean_iou(float(best))
    print(f"weights (L, a, b): {w[0]:.5f}, {w[1]:.5f}, {w[2]:.5f}; threshold {best:.4f}")
    print(f"fit-half pixel IoU: slough {iou_slough:.3f}, granulation {iou_gran:.3f} (mean {m:.3f}); "
          f"{len(y)} pixels, class means slough {mean_slough.round(1)}, granulation {mean_gran.round(1)}")
    L, a, b = x.T
    for cls, name in ((1, "slough"), (2, "granulation")):
        sel = y == cls
        necrosis = ((L < 32) & ((a < b) | (np.hypot(a, b) < 8)))[sel].mean()
        epithelium = ((L > 65) & (b < 15) & (a > 8))[sel].mean()
        print(f"{name}: share matching the necrosis colour rule {necrosis:.3f}, the epithelium colour rule {epithelium:.3f}")


if __name__ == "__main__":
    main()
