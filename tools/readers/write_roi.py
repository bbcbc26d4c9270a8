#!/usr/bin/env python3
"""Writes a ROI Manager set as a tracing made in ImageJ/Fiji would be, with roifile.

Usage: write_roi.py OUT.zip

Two polygons: a float-coordinate (sub-pixel) pentagon and an integer traced-style
rectangle, written with roifile.roiwrite into a deflate-compressed zip as ImageJ's ROI
Manager saves them. The calling test measures the set with `measure --outline` and
compares the mask it drew with check_roi.py.
"""
import sys
import zipfile

import numpy
import roifile


def main():
    path = sys.argv[1]
    pentagon = roifile.ImagejRoi.frompoints(
        numpy.array([[300.2, 400.7], [420.5, 380.1], [470.9, 500.4], [360.3, 590.8], [280.6, 520.2]]))
    pentagon.roitype = roifile.ROI_TYPE.POLYGON
    pentagon.name = "tracing-1"
    rectangle = roifile.ImagejRoi.frompoints(numpy.array([[900, 200], [1000, 200], [1000, 260], [900, 260]]))
    rectangle.roitype = roifile.ROI_TYPE.POLYGON
    rectangle.name = "tracing-2"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for roi in (pentagon, rectangle):
            archive.writestr(roi.name + ".roi", roi.tobytes())


if __name__ == "__main__":
    main()
