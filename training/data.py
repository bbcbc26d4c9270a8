"""FUSeg loading, the fixed train/validation split and the training augmentation."""

from __future__ import annotations

import io
import math
import os

import numpy as np
from PIL import Image, ImageFilter

DATA_ROOT = os.environ.get("FUSEG_ROOT", "/work/shared/datasets/fuseg-train")


def photo_numbers() -> list[int]:
    """All photo numbers in the data set, sorted."""
    return sorted(int(name[:-4]) for name in os.listdir(os.path.join(DATA_ROOT, "images")) if name.endswith(".jpg"))


def is_validation(number: int) -> bool:
    """The fixed split: photos whose number is divisible by 5 are validation, the rest train."""
    return number % 5 == 0


def split() -> tuple[list[int], list[int]]:
    numbers = photo_numbers()
    return [n for n in numbers if not is_validation(n)], [n for n in numbers if is_validation(n)]


def load_photo(number: int) -> tuple[np.ndarray, np.ndarray]:
    """RGB uint8 H x W x 3 and mask uint8 H x W (0 or 1)."""
    image = np.asarray(Image.open(os.path.join(DATA_ROOT, "images", f"{number:04d}.jpg")).convert("RGB"))
    mask = np.asarray(Image.open(os.path.join(DATA_ROOT, "masks", f"{number:04d}.png")).convert("L")) > 127
    return image, mask.astype(np.uint8)


def augment(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator, size: int = 256,
            scale_range: tuple[float, float] = (0.4, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """One random training view of `size` x `size`.

    Geometry: random scale (the view's side is `scale_range` times the photo's side;
    above 1 the whole photo lies inside the view, on black), position,
    flips, 90-degree rotations and a small extra rotation (+-15 degrees), in one
    affine resampling. Photometric: brightness, contrast, saturation, per-channel
    gain (white balance), gamma, blur, JPEG re-encoding.
    """
    h, w = mask.shape
    side = min(h, w) * rng.uniform(*scale_range)
    angle = rng.integers(0, 4) * 90.0 + rng.uniform(-15.0, 15.0)
    flip = rng.random() < 0.5
    # centre of the view: the view inside the photo, or the photo inside the view
    cx = rng.uniform(min(side / 2, w - side / 2), max(side / 2, w - side / 2))
    cy = rng.uniform(min(side / 2, h - side / 2), max(side / 2, h - side / 2))
    s = side / size  # input pixels per output pixel
    t = math.radians(angle)
    ca, sa = math.cos(t) * s, math.sin(t) * s
    fx = -1.0 if flip else 1.0
    # PIL's affine maps output coordinates (u, v) to input (x, y); the view's centre maps to (cx, cy).
    a, b = ca * fx, -sa
    d, e = sa * fx, ca
    half = size / 2
    coeffs = (a, b, cx - (a + b) * half, d, e, cy - (d + e) * half)
    img = Image.fromarray(image).transform((size, size), Image.AFFINE, coeffs, resample=Image.BILINEAR, fillcolor=(0, 0, 0))
    msk = Image.fromarray(mask * 255).transform((size, size), Image.AFFINE, coeffs, resample=Image.BILINEAR, fillcolor=0)

    if rng.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.3, 1.5)))
    x = np.asarray(img).astype(np.float32)
    # photometric jitter
    x = x * rng.uniform(0.75, 1.25)  # brightness
    mean = x.mean()
    x = (x - mean) * rng.uniform(0.75, 1.25) + mean  # contrast
    grey = x.mean(axis=2, keepdims=True)
    x = (x - grey) * rng.uniform(0.7, 1.3) + grey  # saturation
    x = x * rng.uniform(0.9, 1.1, size=3)  # white balance
    x = np.clip(x, 0, 255)
    x = 255.0 * (x / 255.0) ** rng.uniform(0.8, 1.25)  # gamma
    x = np.clip(x + 0.5, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        buffer = io.BytesIO()
        Image.fromarray(x).save(buffer, format="JPEG", quality=int(rng.integers(40, 96)))
        buffer.seek(0)
        x = np.asarray(Image.open(buffer).convert("RGB"))
    return x, (np.asarray(msk) > 127).astype(np.uint8)


def normalise(rgb: np.ndarray) -> np.ndarray:
    """uint8 H x W x 3 -> float32 3 x H x W, (rgb - 127) / 128."""
    return ((rgb.astype(np.float32) - 127.0) / 128.0).transpose(2, 0, 1)
