"""FUSeg loading, the fixed train/validation split and the training augmentation."""

from __future__ import annotations

import io
import math
import os

import numpy as np
from PIL import Image, ImageFilter

DATA_ROOT = os.environ.get("FUSEG_ROOT", "/work/shared/datasets/fuseg-train")
DFUTISSUE_ROOT = os.environ.get("DFUTISSUE_ROOT", "/work/shared/datasets/dfutissue-trainval")


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


def dfutissue_fit_names() -> list[str]:
    """The DFUTissue fit half (first 47 files sorted by name), the same half `tissue_fit.py` fits on.

    The second half stays held out for the tissue evaluation; it is never used to train the outline.
    """
    return dfutissue_names()[0]


def dfutissue_names() -> tuple[list[str], list[str]]:
    """DFUTissue's fixed halves, sorted by name: (fit, held out)."""
    names = sorted(n for n in os.listdir(os.path.join(DFUTISSUE_ROOT, "images")) if n.endswith(".jpg"))
    return names[:len(names) // 2], names[len(names) // 2:]


def load_dfutissue_labels(name: str) -> tuple[np.ndarray, np.ndarray]:
    """RGB and the label map of a DFUTissue photo: 0 background, 1 fibrin, 2 granulation, 3 callus."""
    image = np.asarray(Image.open(os.path.join(DFUTISSUE_ROOT, "images", name)).convert("RGB"))
    return image, np.asarray(Image.open(os.path.join(DFUTISSUE_ROOT, "labels", name[:-4] + ".png"))).copy()


def load_dfutissue(name: str) -> tuple[np.ndarray, np.ndarray]:
    """RGB and wound mask of a DFUTissue photo: fibrin (1) and granulation (2) are wound; callus (3) is
    periwound skin, not wound."""
    image, labels = load_dfutissue_labels(name)
    return image, ((labels == 1) | (labels == 2)).astype(np.uint8)


def wound_box(mask: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float, float] | None:
    """Centre and size (cx, cy, w, h) of one wound's bounding box, picked at random among the
    mask's 8-connected regions weighted by area; None for an empty mask."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return None
    from scipy import ndimage  # offline tooling only
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    areas = np.bincount(labels.ravel())[1:]
    k = int(rng.choice(count, p=areas / areas.sum())) + 1
    ys, xs = np.nonzero(labels == k)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    return (x0 + x1) / 2, (y0 + y1) / 2, float(x1 - x0), float(y1 - y0)


def augment(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator, size: int = 256,
            scale_range: tuple[float, float] = (0.4, 1.0), crop_probability: float = 0.0,
            strong_colour: bool = False, categorical: bool = False,
            wound_recolour: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """One random training view of `size` x `size`.

    `mask` is a 0/1 wound mask, resampled bilinearly and thresholded; with `categorical` it is a
    label map (the tissue model's classes), resampled by nearest neighbour, and the wound whose
    box a crop view is cut around is its non-zero labels below 3 (fibrin and granulation).

    Geometry: random scale (the view's side is `scale_range` times the photo's side;
    above 1 the whole photo lies inside the view, on black), position,
    flips, 90-degree rotations and a small extra rotation (+-15 degrees), in one
    affine resampling. Photometric: brightness, contrast, saturation, per-channel
    gain (white balance), gamma, blur, JPEG re-encoding. With `wound_recolour` > 0, that share of
    the views has part of its wound bed repainted as eschar or slough (`recolour_wound`) before the
    photometric jitter. With it at 0 no random number is drawn for it, so older recipes reproduce.
    """
    h, w = mask.shape
    wound = ((mask == 1) | (mask == 2)).astype(np.uint8) if categorical else mask
    box = wound_box(wound, rng) if crop_probability > 0 and rng.random() < crop_probability else None
    if box is not None:
        # The fine pass's view: a square around one wound whose side is the box's long side
        # times 1.5-3.5 (the runtime uses 2.5, see Segmenter.fineMarginFactor), centre jittered.
        bx, by, bw, bh = box
        side = max(bw, bh, 8.0) * rng.uniform(1.5, 3.5)
        cx = bx + rng.uniform(-0.15, 0.15) * side
        cy = by + rng.uniform(-0.15, 0.15) * side
    else:
        side = min(h, w) * rng.uniform(*scale_range)
        # centre of the view: the view inside the photo, or the photo inside the view
        cx = rng.uniform(min(side / 2, w - side / 2), max(side / 2, w - side / 2))
        cy = rng.uniform(min(side / 2, h - side / 2), max(side / 2, h - side / 2))
    angle = rng.integers(0, 4) * 90.0 + rng.uniform(-15.0, 15.0)
    flip = rng.random() < 0.5
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
    if categorical:
        msk = Image.fromarray(mask).transform((size, size), Image.AFFINE, coeffs, resample=Image.NEAREST, fillcolor=0)
    else:
        msk = Image.fromarray(mask * 255).transform((size, size), Image.AFFINE, coeffs, resample=Image.BILINEAR,
                                                    fillcolor=0)

    if rng.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.3, 1.5)))
    x = np.asarray(img).astype(np.float32)
    if wound_recolour > 0 and not categorical and rng.random() < wound_recolour:
        x = recolour_wound(x, np.asarray(msk) > 127, rng)
    if strong_colour:
        x = strong_colour_shift(x, rng)
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
    return x, (np.asarray(msk).copy() if categorical else (np.asarray(msk) > 127).astype(np.uint8))


def strong_colour_shift(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Shifts toward the wound beds FUSeg barely holds: dark (eschar, dark skin, dim light),
    yellow (slough) and dusky (purple-grey) tones, and hue rotations of up to +-20 degrees.
    x: float32 H x W x 3 in 0-255; returns the same."""
    kind = rng.random()
    if kind < 0.25:  # darker scene: dim light or dark skin
        x = x * rng.uniform(0.35, 0.8)
    elif kind < 0.45:  # yellow cast (slough-like): more red and green, less blue
        x = x * np.array([rng.uniform(1.0, 1.15), rng.uniform(1.0, 1.2), rng.uniform(0.6, 0.9)])
    elif kind < 0.6:  # dusky: desaturate and cool
        grey = x.mean(axis=2, keepdims=True)
        x = (x - grey) * rng.uniform(0.3, 0.7) + grey
        x = x * np.array([rng.uniform(0.85, 1.0), rng.uniform(0.85, 1.0), rng.uniform(1.0, 1.15)])
    if rng.random() < 0.5:  # hue rotation about the grey axis (YIQ)
        t = math.radians(rng.uniform(-20.0, 20.0))
        to_yiq = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
        rot = np.array([[1, 0, 0], [0, math.cos(t), -math.sin(t)], [0, math.sin(t), math.cos(t)]])
        m = np.linalg.inv(to_yiq) @ rot @ to_yiq
        x = x @ m.T.astype(np.float32)
    return np.clip(x, 0, 255).astype(np.float32)


def recolour_wound(x: np.ndarray, wound: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Repaints part of the wound bed as black-brown eschar or yellow-white slough, keeping the
    bed's own texture, so that the network learns that such tissue inside the wound's edge is
    wound (FUSeg's photos are mostly red granulation; the tool's patients often have necrosis).

    Which part: the whole bed, a rim of it along the edge (a slough rim), or random patches of it.
    The colour: a base colour drawn per view, modulated by the bed's relative brightness; blended
    with a soft edge (alpha 0.75-1). x: float32 H x W x 3 in 0-255; wound: bool H x W. The mask
    is unchanged: the repainted pixels stay wound."""
    from scipy import ndimage  # offline tooling only
    if wound.sum() < 16:
        return x
    eschar = rng.random() < 0.5
    part = rng.random()
    if part < 0.3:
        region = wound
    elif part < 0.65:  # a rim along the edge, 15-50 % of the bed's largest inner distance
        inside = ndimage.distance_transform_edt(wound)
        region = wound & (inside <= rng.uniform(0.15, 0.5) * inside.max())
    else:  # patches: a smooth random field, thresholded to cover 30-80 % of the bed
        grid = rng.random((6, 6)).astype(np.float32)
        field = np.asarray(Image.fromarray(grid, mode="F").resize(wound.shape[::-1], Image.BICUBIC))
        cut = np.quantile(field[wound], 1.0 - rng.uniform(0.3, 0.8))
        region = wound & (field >= cut)
    if eschar:  # black to dark brown
        v = rng.uniform(18, 75)
        base = np.array([v, v * rng.uniform(0.6, 0.9), v * rng.uniform(0.45, 0.8)], dtype=np.float32)
    else:  # yellow to off-white slough
        v = rng.uniform(170, 235)
        base = np.array([v, v * rng.uniform(0.8, 0.95), v * rng.uniform(0.45, 0.75)], dtype=np.float32)
    luminance = x.mean(axis=2)
    texture = luminance / max(float(luminance[wound].mean()), 1.0)
    painted = base * np.clip(0.55 + 0.45 * texture, 0.3, 1.6)[..., None]
    alpha = ndimage.gaussian_filter(region.astype(np.float32), sigma=rng.uniform(0.6, 2.0))
    alpha = (alpha * rng.uniform(0.75, 1.0))[..., None]
    return np.clip(x * (1 - alpha) + painted * alpha, 0, 255).astype(np.float32)


def grey_world(rgb: np.ndarray) -> np.ndarray:
    """Grey-world white balance, as `TissueClassifier` does without a colour reference: each channel
    times the mean of the three channels' means over its own mean, gains clamped to [0.5, 2], clipped
    to 0-255. Float H x W x 3 in, float out. Pixels that read black (outside a crop) lower the three
    means by the same factor, so they do not change the gains."""
    means = rgb.reshape(-1, 3).astype(np.float64).mean(0)
    gains = np.clip(means.mean() / np.maximum(means, 1e-6), 0.5, 2.0)
    return np.clip(rgb * gains, 0, 255).astype(np.float32)


def normalise(rgb: np.ndarray) -> np.ndarray:
    """uint8 H x W x 3 -> float32 3 x H x W, (rgb - 127) / 128."""
    return ((rgb.astype(np.float32) - 127.0) / 128.0).transpose(2, 0, 1)
