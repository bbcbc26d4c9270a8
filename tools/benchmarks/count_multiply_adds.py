"""Multiply-adds of the network passes one 12-megapixel `measure` runs, counted on the model files.

    python3 tools/benchmarks/count_multiply_adds.py [--outline FILE.wmseg] [--tissue FILE.wmseg]

The passes, as `Segmenter` and `FinePassTissue` run them on a 4000 x 3000 photo with one wound:
the whole-photo pass at 320 x 256 (the photo shrunk 13 times and padded to a multiple of 32),
the fine pass at 256 x 256, and the tissue network's own operations at 256 x 256 (those after the
ones it shares with the outline network: the same operations with the same weights, computed once).

Each convolution counts output elements x input channels per group x kernel area, as
`training/model.py`'s `count_macs` does; the file's operations run in PyTorch (`run_ops`) with
that count taken at each convolution. Needs the training requirements (torch, numpy).
"""

from __future__ import annotations

import argparse
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "training"))
import model as network  # noqa: E402
from export import read_model_file  # noqa: E402

RESOURCES = os.path.join(ROOT, "Sources", "WoundModels", "Resources")


def per_operation(path: str, width: int, height: int) -> list[int]:
    """Multiply-adds of each operation of the file's graph (0 for those that are not convolutions)."""
    header, blob = read_model_file(path)
    counts: list[int] = []
    convolve = network.F.conv2d

    def counting(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
        y = convolve(x, w, b, stride, padding, dilation, groups)
        counts.append(y.numel() * w.shape[1] * w.shape[2] * w.shape[3])
        return y

    network.F.conv2d = counting
    try:
        with torch.no_grad():
            network.run_ops(header["ops"], blob, torch.zeros(1, 3, height, width))
    finally:
        network.F.conv2d = convolve
    convolution_counts = iter(counts)
    return [next(convolution_counts) if op["op"] == "conv2d" else 0 for op in header["ops"]]


def shared_prefix(a: str, b: str) -> int:
    """How many operations, from the first, the two files have in common: the same operation on the
    same tensors, and for a convolution the same weights and biases (`ModelGraph.sharedPrefix`)."""
    header_a, blob_a = read_model_file(a)
    header_b, blob_b = read_model_file(b)

    def tensors(op: dict, blob: torch.Tensor) -> list[torch.Tensor]:
        if op["op"] != "conv2d":
            return []
        return [blob[op["w"]:op["b"]], blob[op["b"]:op["b"] + op["cout"]]]

    shared = 0
    for op_a, op_b in zip(header_a["ops"], header_b["ops"]):
        layout_a = {k: v for k, v in op_a.items() if k not in ("w", "b")}
        layout_b = {k: v for k, v in op_b.items() if k not in ("w", "b")}
        weights_a, weights_b = tensors(op_a, blob_a), tensors(op_b, blob_b)
        if layout_a != layout_b or not all(torch.equal(x, y) for x, y in zip(weights_a, weights_b)):
            break
        shared += 1
    return shared


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--outline", default=os.path.join(RESOURCES, "wound-segmentation.wmseg"))
    parser.add_argument("--tissue", default=os.path.join(RESOURCES, "wound-tissue.wmseg"))
    args = parser.parse_args()
    whole = sum(per_operation(args.outline, 320, 256))
    fine = sum(per_operation(args.outline, 256, 256))
    tissue_ops = per_operation(args.tissue, 256, 256)
    shared = shared_prefix(args.outline, args.tissue)
    tissue_own = sum(tissue_ops[shared:])
    figures = {
        "whole-photo pass, 320 x 256": whole,
        "fine pass, 256 x 256": fine,
        f"tissue network's own operations (after the {shared} shared), 256 x 256": tissue_own,
        "tissue network's shared operations, computed once": sum(tissue_ops[:shared]),
        "total of one measurement with one wound": whole + fine + tissue_own,
    }
    for key, value in figures.items():
        print(f"{key}: {value / 1e9:.3f} G multiply-adds")


if __name__ == "__main__":
    main()
