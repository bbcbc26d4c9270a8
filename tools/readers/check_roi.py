#!/usr/bin/env python3
"""Reads an ImageJ ROI (.roi) or ROI Manager set (.zip) with roifile and compares it with a mask.

Usage: check_roi.py OUTLINE.roi|OUTLINE.zip MASK.raw WIDTH HEIGHT

MASK.raw holds WIDTH x HEIGHT bytes, row-major, non-zero = wound. Every ROI read by
roifile is filled here (pixel (x, y) is inside when its centre (x + 0.5, y + 0.5) is
inside the polygon, even-odd rule; ImageJ's pixel coordinates), the fills are united
and compared with the mask pixel by pixel. Prints one JSON object: per ROI its name,
type, vertex count, shoelace area and filled pixel count, and the number of pixels
where the union and the mask disagree.
"""
import json
import sys

import numpy
import roifile


def fill(vertices, width, height):
    """Pixels whose centre lies inside the polygon (even-odd), as a boolean array."""
    inside = numpy.zeros((height, width), dtype=bool)
    xs = vertices[:, 0].astype(numpy.float64)
    ys = vertices[:, 1].astype(numpy.float64)
    x2 = numpy.roll(xs, -1)
    y2 = numpy.roll(ys, -1)
    centres_x = numpy.arange(width) + 0.5
    for row in range(height):
        cy = row + 0.5
        crossing = (ys <= cy) != (y2 <= cy)
        if not crossing.any():
            continue
        at = xs[crossing] + (cy - ys[crossing]) / (y2[crossing] - ys[crossing]) * (x2[crossing] - xs[crossing])
        # Parity of the crossings left of each pixel centre.
        count = (at[None, :] < centres_x[:, None]).sum(axis=1)
        inside[row] = count % 2 == 1
    return inside


def main():
    path, mask_path, width, height = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    mask = numpy.fromfile(mask_path, dtype=numpy.uint8).reshape(height, width) != 0
    rois = roifile.ImagejRoi.fromfile(path)
    if not isinstance(rois, list):
        rois = [rois]
    union = numpy.zeros_like(mask)
    report = []
    for roi in rois:
        vertices = roi.coordinates()
        x = vertices[:, 0].astype(numpy.float64)
        y = vertices[:, 1].astype(numpy.float64)
        shoelace = abs(numpy.dot(x, numpy.roll(y, -1)) - numpy.dot(y, numpy.roll(x, -1))) / 2
        filled = fill(vertices, width, height)
        union |= filled
        report.append({
            "name": roi.name,
            "type": roi.roitype.name,
            "vertices": int(len(vertices)),
            "shoelaceArea": float(shoelace),
            "filledPixels": int(filled.sum()),
        })
    print(json.dumps({
        "rois": report,
        "maskPixels": int(mask.sum()),
        "mismatchedPixels": int((union != mask).sum()),
    }, sort_keys=True))


if __name__ == "__main__":
    main()
