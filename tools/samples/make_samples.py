#!/usr/bin/env python3
"""Make woundmeasure's calibrated sample photos from real FUSeg wound photos.

Each sample is a real diabetic foot ulcer photo from the FUSeg 2021 training
set (CC0 1.0) treated as a flat plane at a known scale, with a printed
AprilTag tag36h11 marker laid in that plane beside the wound, then
photographed through a known pinhole camera (scale at the marker, in-plane
rotation, tilt). Because the plane's scale is known, the true wound area is
known exactly: mask pixels / (plane px per mm)^2.

Writes, under samples/:
  photos/<patient>/<wound-site>/<YYYY-MM-DD>_<n>.jpg   JPEG q90, EXIF DateTimeOriginal
  masks/<patient>/<wound-site>/<YYYY-MM-DD>_<n>.png    true wound mask in the photo's pixels
  truth.csv                                            true area, scale at the marker, tilt

The healing series (patient P001) is synthetic: one real wound's mask is
shrunk step by step (morphological erosion) and the healed part is filled
with the surrounding skin (nearest-skin fill, then smoothed).

The marker's modules are read from the committed printable marker PNG
(samples/markers/tag36h11-id<ID>.png, written by `woundmeasure marker`), so
the photos carry exactly the tags that the tool prints.

Usage (from the repository root; numpy, scipy and Pillow):
  python3 tools/samples/make_samples.py [--datasets ../shared/datasets] [--out samples]

Deterministic: the same inputs give the same files (fixed seed).
"""

import argparse
import csv
import math
import os

import numpy as np
from PIL import Image
from scipy import ndimage

PHOTO_W, PHOTO_H = 1600, 1200
CAMERA_DISTANCE_MM = 300.0

# (patient, wound site, FUSeg image, date, plane px/mm, marker ID,
#  photo px/mm at the plane centre, in-plane rotation deg, tilt deg, erosion px)
SAMPLES = [
    ("P001", "left-heel", "0176", "2026-09-07", 5.0, 20, 9.0, 8.0, 12.0, 0),
    ("P001", "left-heel", "0176", "2026-09-21", 5.0, 20, 11.0, -14.0, 24.0, 7),
    ("P001", "left-heel", "0176", "2026-10-05", 5.0, 20, 7.5, 21.0, 5.0, 13),
    ("P001", "left-heel", "0176", "2026-10-26", 5.0, 20, 13.0, 177.0, 31.0, 19),
    ("P002", "right-hallux", "0138", "2026-10-12", 4.0, 30, 6.0, -35.0, 18.0, 0),
    ("P003", "left-plantar", "0029", "2026-10-19", 6.0, 20, 16.0, 95.0, 28.0, 0),
]


def load_modules(markers_dir, tag_id):
    """The 10 x 10 module pattern (True = black) read from the printed marker PNG."""
    img = np.asarray(Image.open(os.path.join(markers_dir, f"tag36h11-id{tag_id}.png")).convert("L"))
    dark = img < 128
    # The black square is the tag's largest dark blob: find its bounding box.
    lab, n = ndimage.label(dark)
    sizes = ndimage.sum(dark, lab, range(1, n + 1))
    big = 1 + int(np.argmax(sizes))
    ys, xs = np.nonzero(lab == big)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    module = (x1 - x0) / 8.0
    grid = np.zeros((10, 10), dtype=bool)
    for r in range(10):
        for c in range(10):
            cy = y0 + (r - 1 + 0.5) * module
            cx = x0 + (c - 1 + 0.5) * module
            if 0 <= cy < img.shape[0] and 0 <= cx < img.shape[1]:
                grid[r, c] = dark[int(cy), int(cx)]
    return grid


def content_box(image):
    """Rows and columns of a FUSeg photo that are not zero padding."""
    nonpad = image.sum(axis=2) > 40
    rows = np.nonzero(nonpad.mean(axis=1) > 0.5)[0]
    cols = np.nonzero(nonpad.mean(axis=0) > 0.5)[0]
    return rows.min(), rows.max() + 1, cols.min(), cols.max() + 1


def heal(image, mask, erosion):
    """Shrink the wound by `erosion` px and fill the healed ring with nearby skin."""
    if erosion == 0:
        return image.copy(), mask.copy()
    smaller = ndimage.binary_erosion(mask, iterations=erosion)
    # Keep the largest remaining piece so the wound stays one region.
    lab, n = ndimage.label(smaller)
    if n > 1:
        sizes = ndimage.sum(smaller, lab, range(1, n + 1))
        smaller = lab == (1 + int(np.argmax(sizes)))
    healed = mask & ~smaller
    # Nearest skin pixel (outside the original wound, grown a little) for each healed pixel.
    skin = ~ndimage.binary_dilation(mask, iterations=8)
    _, (iy, ix) = ndimage.distance_transform_edt(~skin, return_indices=True)
    filled = image.astype(np.float64).copy()
    filled[healed] = image[iy[healed], ix[healed]]
    # Smooth the fill so it reads as skin, not as a mosaic; keep the rest untouched.
    smooth = np.stack([ndimage.gaussian_filter(filled[..., c], 4.0) for c in range(3)], axis=-1)
    ring = ndimage.binary_dilation(healed, iterations=3) & ~ndimage.binary_dilation(smaller, iterations=1)
    filled[ring] = smooth[ring]
    return np.clip(filled, 0, 255).astype(np.uint8), smaller


def place_marker(mask, plane_px_per_mm, marker_mm, box):
    """Top-left (plane px) of the tag's white border, beside the wound.

    The tag with its white border (1.25 x marker_mm) must lie inside the photo's
    content, cover no wound pixel (with a margin of 0.2 marker widths), and its
    gap to the wound must be at most one marker width. The nearest such place
    to the wound's centroid wins.
    """
    side = int(math.ceil(1.25 * marker_mm * plane_px_per_mm))
    margin = int(0.2 * marker_mm * plane_px_per_mm)
    grown = ndimage.binary_dilation(mask, iterations=max(1, margin))
    dist = ndimage.distance_transform_edt(~mask)
    cy, cx = ndimage.center_of_mass(mask)
    y0, y1, x0, x1 = box
    best = None
    for ty in range(y0 + 4, y1 - side - 4, 4):
        for tx in range(x0 + 4, x1 - side - 4, 4):
            if grown[ty:ty + side, tx:tx + side].any():
                continue
            gap = dist[ty:ty + side, tx:tx + side].min() / plane_px_per_mm
            if gap > marker_mm:
                continue
            d = math.hypot(ty + side / 2 - cy, tx + side / 2 - cx)
            if best is None or d < best[0]:
                best = (d, ty, tx)
    if best is None:
        raise SystemExit("no place for the marker beside the wound")
    return best[1], best[2]


def camera_homography(px_per_mm, rotation_deg, tilt_deg, centre_mm):
    """Plane mm -> photo px for a pinhole camera at CAMERA_DISTANCE_MM."""
    t = math.radians(rotation_deg)
    a = math.radians(tilt_deg)
    f = px_per_mm * CAMERA_DISTANCE_MM
    rotate = np.array([
        [math.cos(t), -math.sin(t), -(math.cos(t) * centre_mm[0] - math.sin(t) * centre_mm[1])],
        [math.sin(t), math.cos(t), -(math.sin(t) * centre_mm[0] + math.cos(t) * centre_mm[1])],
        [0, 0, 1]])
    tilt = np.array([[1, 0, 0], [0, math.cos(a), 0], [0, math.sin(a), CAMERA_DISTANCE_MM]])
    project = np.array([[f, 0, (PHOTO_W - 1) / 2], [0, f, (PHOTO_H - 1) / 2], [0, 0, 1]])
    return project @ tilt @ rotate


def local_scale(h, p):
    """sqrt(|det J|) of the homography h at plane point p: px per mm there."""
    x, y = p
    w = h[2, 0] * x + h[2, 1] * y + h[2, 2]
    u = (h[0, 0] * x + h[0, 1] * y + h[0, 2]) / w
    v = (h[1, 0] * x + h[1, 1] * y + h[1, 2]) / w
    j = np.array([[(h[0, 0] - u * h[2, 0]) / w, (h[0, 1] - u * h[2, 1]) / w],
                  [(h[1, 0] - v * h[2, 0]) / w, (h[1, 1] - v * h[2, 1]) / w]])
    return math.sqrt(abs(np.linalg.det(j)))


def bilinear(img, x, y):
    """Bilinear samples of an H x W x C float image at float coordinates (clamped)."""
    h, w = img.shape[:2]
    x = np.clip(x, 0, w - 1.001)
    y = np.clip(y, 0, h - 1.001)
    x0 = np.floor(x).astype(int)
    y0 = np.floor(y).astype(int)
    fx = (x - x0)[..., None]
    fy = (y - y0)[..., None]
    top = img[y0, x0] * (1 - fx) + img[y0, x0 + 1] * fx
    bottom = img[y0 + 1, x0] * (1 - fx) + img[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def render(plane_rgb, plane_mask, box, plane_px_per_mm, modules, marker_origin_mm, marker_mm, h_px_from_mm, rng):
    """The photo and its true mask: 2 x 2 supersampled inverse warp."""
    h_mm_from_px = np.linalg.inv(h_px_from_mm)
    y0, y1, x0, x1 = box
    accum = np.zeros((PHOTO_H, PHOTO_W, 3))
    mask_accum = np.zeros((PHOTO_H, PHOTO_W))
    ys, xs = np.mgrid[0:PHOTO_H, 0:PHOTO_W].astype(np.float64)
    # A neutral drape for everything outside the photographed skin.
    drape = np.stack([
        150 + 8 * np.sin(xs * 0.013 + ys * 0.004),
        165 + 8 * np.sin(xs * 0.013 + ys * 0.004),
        178 + 8 * np.sin(xs * 0.013 + ys * 0.004)], axis=-1)
    plane = plane_rgb.astype(np.float64)
    for oy in (-0.25, 0.25):
        for ox in (-0.25, 0.25):
            px, py = xs + ox, ys + oy
            w = h_mm_from_px[2, 0] * px + h_mm_from_px[2, 1] * py + h_mm_from_px[2, 2]
            u = (h_mm_from_px[0, 0] * px + h_mm_from_px[0, 1] * py + h_mm_from_px[0, 2]) / w
            v = (h_mm_from_px[1, 0] * px + h_mm_from_px[1, 1] * py + h_mm_from_px[1, 2]) / w
            # Plane pixel coordinates (pixel centres at integers).
            qx, qy = u * plane_px_per_mm, v * plane_px_per_mm
            inside = (qx >= x0) & (qx <= x1 - 1) & (qy >= y0) & (qy <= y1 - 1)
            colour = np.where(inside[..., None], bilinear(plane, qx, qy), drape)
            m = bilinear(plane_mask[..., None].astype(np.float64), qx, qy)[..., 0]
            m = np.where(inside, m, 0)
            # The marker: tag modules on off-white paper, drawn at full photo resolution.
            module = marker_mm / 8.0
            cu = (u - marker_origin_mm[0]) / module + 1
            cv = (v - marker_origin_mm[1]) / module + 1
            on_tag = (cu >= 0) & (cu < 10) & (cv >= 0) & (cv < 10)
            ci = np.clip(cu.astype(int), 0, 9)
            ri = np.clip(cv.astype(int), 0, 9)
            black = modules[ri, ci]
            tag = np.where(black, 28.0, 238.0)
            colour = np.where(on_tag[..., None], np.stack([tag, tag, tag * 0.98], axis=-1), colour)
            m = np.where(on_tag, 0, m)
            accum += colour
            mask_accum += m
    photo = accum / 4
    # Mild optical blur, then sensor noise.
    photo = np.stack([ndimage.gaussian_filter(photo[..., c], 0.7) for c in range(3)], axis=-1)
    photo += rng.normal(0, 2.0, photo.shape)
    photo = np.clip(photo + 0.5, 0, 255).astype(np.uint8)
    mask = (mask_accum / 4) >= 0.5
    return photo, mask


def save_jpeg(photo, path, taken):
    img = Image.fromarray(photo)
    exif = Image.Exif()
    exif[0x0110] = "woundmeasure synthetic sample"  # Model
    exif[0x010F] = "woundmeasure"  # Make
    exif[0x0132] = taken  # DateTime
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = taken  # DateTimeOriginal
    img.save(path, "JPEG", quality=90, exif=exif.tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="../shared/datasets")
    parser.add_argument("--out", default="samples")
    args = parser.parse_args()
    fuseg = os.path.join(args.datasets, "fuseg-train")
    markers_dir = os.path.join(args.out, "markers")
    rng = np.random.default_rng(20261123)
    rows = []
    counters = {}
    for (patient, site, image_id, date, plane_scale, tag_id, photo_scale, rotation, tilt, erosion) in SAMPLES:
        image = np.asarray(Image.open(os.path.join(fuseg, "images", f"{image_id}.jpg")).convert("RGB"))
        mask = np.asarray(Image.open(os.path.join(fuseg, "masks", f"{image_id}.png")).convert("L")) > 127
        box = content_box(image)
        plane_rgb, plane_mask = heal(image, mask, erosion)
        marker_mm = float(tag_id)
        # The marker's place is chosen on the original wound so the series keeps it still.
        ty, tx = place_marker(mask, plane_scale, marker_mm, box)
        border_mm = marker_mm / 8.0
        marker_origin = ((tx / plane_scale) + border_mm, (ty / plane_scale) + border_mm)
        # Aim the camera between the wound and the marker.
        cy, cx = ndimage.center_of_mass(mask)
        marker_centre = (marker_origin[0] + marker_mm / 2, marker_origin[1] + marker_mm / 2)
        centre = ((cx / plane_scale + marker_centre[0]) / 2, (cy / plane_scale + marker_centre[1]) / 2)
        h = camera_homography(photo_scale, rotation, tilt, centre)
        modules = load_modules(markers_dir, tag_id)
        photo, photo_mask = render(plane_rgb, plane_mask, box, plane_scale, modules, marker_origin, marker_mm, h, rng)
        n = counters.get((patient, site, date), 0) + 1
        counters[(patient, site, date)] = n
        rel = os.path.join(patient, site, f"{date}_{n}")
        photo_path = os.path.join(args.out, "photos", rel + ".jpg")
        mask_path = os.path.join(args.out, "masks", rel + ".png")
        os.makedirs(os.path.dirname(photo_path), exist_ok=True)
        os.makedirs(os.path.dirname(mask_path), exist_ok=True)
        taken = date.replace("-", ":") + " 10:%02d:00" % (15 + 7 * len(rows))
        save_jpeg(photo, photo_path, taken)
        Image.fromarray((photo_mask * 255).astype(np.uint8)).convert("1").save(mask_path, optimize=True)
        true_area_cm2 = plane_mask.sum() / plane_scale ** 2 / 100.0
        scale_at_marker = local_scale(h, marker_centre)
        rows.append({
            "file": os.path.join("photos", rel + ".jpg"),
            "patient": patient,
            "wound": site,
            "taken": date + "T" + taken.split(" ")[1],
            "trueAreaCm2": "%.4f" % true_area_cm2,
            "pxPerMm": "%.4f" % scale_at_marker,
            "tiltDeg": "%.1f" % tilt,
            "source": f"FUSeg train {image_id}",
            "markerId": tag_id,
        })
        print(f"{photo_path}: {true_area_cm2:.3f} cm2, {scale_at_marker:.3f} px/mm at the marker, tilt {tilt} deg")
    with open(os.path.join(args.out, "truth.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
