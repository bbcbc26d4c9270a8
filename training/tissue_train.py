"""Trains the tissue model on the DFUTissue fit half (CPU).

    python3 training/tissue_train.py --out training/runs/tissue [--steps 1200] [--resume]

The tissue model is the outline network with a head of four classes (0 background,
1 fibrin/slough, 2 granulation, 3 callus), started from the shipped outline model's
weights (`Sources/WoundModels/Resources/wound-segmentation.wmseg`, folded batch
norm loaded as fixed statistics) and trained on DFUTissue (Dhar M. K. et al., "Wound
Tissue Segmentation in Diabetic Foot Ulcer Images Using Deep Learning: A Pilot Study",
arXiv 2406.16012, 2024). Only the fit half (the first 47 files sorted by name) is
trained on; the other half is held out for `evaluate_tissue.py` and never used to
choose anything. The run's length and every setting are fixed in advance; the last
step is exported.

Views are those the runtime shows the network (`TissueModel` in the Swift runtime): a
square around a wound of 1.5-3.5 times its box (the runtime uses 2.5) resampled to
256 x 256, or (one view in four) the whole photo; flips, rotations, brightness,
contrast, saturation, white balance, gamma, blur and JPEG as for the outline (no hue
or yellow shifts: colour is what tells slough from granulation).

Loss: cross-entropy over the four classes, plus cross-entropy between slough and
granulation on the labelled wound pixels only (the decision the runtime takes inside
an outline), plus soft Dice of slough and of granulation; with `--share-weight W`,
plus W times each photo's granulation share error (`share_loss`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import augment, dfutissue_names, grey_world, load_dfutissue_labels, normalise  # noqa: E402
from export import MODEL_PATH, read_model_file  # noqa: E402
from model import WoundSegNet, load_folded  # noqa: E402
from train import seed_everything  # noqa: E402

CLASSES = 4


IGNORE = 255  # pseudo-labelled photos: pixels without a label


def share_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean over the batch's images with labelled wound of |predicted - true granulation share|, the
    predicted share being the mean of p(granulation) / (p(slough) + p(granulation)) over the labelled
    slough and granulation pixels: the per-photo share error `tissue-eval` reports, made differentiable."""
    p = torch.softmax(logits, 1)
    g = p[:, 2] / (p[:, 1] + p[:, 2] + 1e-6)
    errors = []
    for i in range(labels.shape[0]):
        wound = (labels[i] == 1) | (labels[i] == 2)
        if wound.any():
            errors.append((g[i][wound].mean() - (labels[i][wound] == 2).float().mean()).abs())
    return torch.stack(errors).mean() if errors else logits.sum() * 0


def tissue_loss(logits: torch.Tensor, labels: torch.Tensor, slough_weight: float = 1.0,
                share_weight: float = 0.0) -> torch.Tensor:
    valid = labels != IGNORE
    ce = F.cross_entropy(logits, labels, ignore_index=IGNORE) if valid.any() else logits.sum() * 0
    wound = (labels == 1) | (labels == 2)
    if wound.any():
        pair = logits[:, 1:3].permute(0, 2, 3, 1)[wound]  # N x 2: slough, granulation
        weight = torch.tensor([slough_weight, 1.0])
        ce_wound = F.cross_entropy(pair, (labels[wound] - 1), weight=weight)
    else:
        ce_wound = logits.sum() * 0
    p = torch.softmax(logits, 1) * valid[:, None].float()
    dice = 0.0
    for c in (1, 2):
        t = (labels == c).float()
        inter = (p[:, c] * t).sum()
        dice = dice + (1 - (2 * inter + 1) / (p[:, c].sum() + t.sum() + 1))
    loss = ce + ce_wound + dice / 2
    return loss + share_weight * share_loss(logits, labels) if share_weight else loss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="training/runs/tissue")
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=20212)
    parser.add_argument("--lr-decoder", type=float, default=1e-3)
    parser.add_argument("--lr-encoder", type=float, default=2.5e-4)
    parser.add_argument("--warmup-steps", type=int, default=60)
    parser.add_argument("--crop-probability", type=float, default=0.75)
    parser.add_argument("--freeze-blocks", type=int, default=3)
    parser.add_argument("--slough-weight", type=float, default=1.0,
                        help="weight of slough pixels in the slough/granulation cross-entropy")
    parser.add_argument("--share-weight", type=float, default=0.0,
                        help="weight of the per-photo granulation share error in the loss (share_loss)")
    parser.add_argument("--grey-world", action="store_true",
                        help="white-balance each view by the grey world before the network (data.grey_world)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--checkpoint-every", type=int, default=50)
    parser.add_argument("--init-wmseg", default=MODEL_PATH)
    parser.add_argument("--pseudo", help="folder of FUSeg pseudo-labels (tissue_pseudo.py): half of each batch")
    parser.add_argument("--resume", action="store_true", help="continue from <out>/last.pt")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    os.makedirs(args.out, exist_ok=True)

    model = WoundSegNet(classes=CLASSES)
    header, blob = read_model_file(args.init_wmseg)
    load_folded(model, header["ops"], blob, skip_head=True)
    frozen = [model.stem] + list(model.blocks[:args.freeze_blocks])
    for module in frozen:
        for parameter in module.parameters():
            parameter.requires_grad_(False)

    def set_training_mode() -> None:
        model.train()
        for module in model.modules():  # folded batch norm: statistics stay fixed
            if isinstance(module, torch.nn.BatchNorm2d):
                module.eval()

    optimiser = torch.optim.AdamW([
        {"params": [p for p in model.encoder_parameters() if p.requires_grad], "lr": args.lr_encoder},
        {"params": list(model.decoder_parameters()), "lr": args.lr_decoder},
    ], weight_decay=1e-4)
    base_lrs = [g["lr"] for g in optimiser.param_groups]
    step = 0
    if args.resume:
        state = torch.load(os.path.join(args.out, "last.pt"), map_location="cpu")
        saved = state["args"]
        for key in vars(args):
            if key not in ("resume", "out", "threads"):
                setattr(args, key, saved.get(key, getattr(args, key)))
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step = state["step"]
        print(f"resuming after step {step}", flush=True)
    with open(os.path.join(args.out, "args.json"), "w") as f:
        json.dump(vars(args), f, indent=2)
    set_training_mode()

    fit, _ = dfutissue_names()
    photos = [load_dfutissue_labels(name) for name in fit]
    print(f"train {len(photos)} photos ({fit[0]}..{fit[-1]})", flush=True)
    pseudo = []
    if args.pseudo:
        from PIL import Image
        from data import load_photo
        for name in sorted(os.listdir(args.pseudo)):
            labels = np.asarray(Image.open(os.path.join(args.pseudo, name))).copy()
            if ((labels == 1) | (labels == 2)).any():
                pseudo.append((load_photo(int(name[:4]))[0], labels))
        print(f"plus {len(pseudo)} pseudo-labelled FUSeg training photos, half of each batch", flush=True)
    started = time.time()
    losses = []
    while step < args.steps:
        rng = np.random.default_rng([args.seed, step])
        n_true = args.batch // 2 if pseudo else args.batch
        # (sample, its key for the view's random generator: the photo index, pseudo photos from 1000)
        chosen = [(photos[i], int(i)) for i in rng.choice(len(photos), size=n_true, replace=False)]
        if pseudo:
            chosen += [(pseudo[i], 1000 + int(i)) for i in rng.choice(len(pseudo), size=args.batch - n_true,
                                                                     replace=False)]
        xs, ys = [], []
        for sample, key in chosen:
            view_rng = np.random.default_rng([args.seed, step, key])
            x, y = augment(*sample, view_rng, args.size, (0.8, 1.3), crop_probability=args.crop_probability,
                           categorical=True)
            xs.append(normalise(grey_world(x.astype(np.float32)) if args.grey_world else x))
            ys.append(y.astype(np.int64))
        x = torch.from_numpy(np.stack(xs))
        y = torch.from_numpy(np.stack(ys))
        if step < args.warmup_steps:
            factor = (step + 1) / args.warmup_steps
        else:
            factor = 0.5 * (1 + math.cos(math.pi * (step - args.warmup_steps) / max(1, args.steps - args.warmup_steps)))
        for group, base in zip(optimiser.param_groups, base_lrs):
            group["lr"] = base * factor
        loss = tissue_loss(model(x), y, args.slough_weight, args.share_weight)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        step += 1
        if step % 10 == 0:
            print(f"step {step}/{args.steps} loss {np.mean(losses[-10:]):.4f} {time.time() - started:.0f}s", flush=True)
        if step % args.checkpoint_every == 0 or step == args.steps:
            state = {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step,
                     "args": vars(args)}
            torch.save(state, os.path.join(args.out, "last.pt.partial"))
            os.replace(os.path.join(args.out, "last.pt.partial"), os.path.join(args.out, "last.pt"))
    torch.save({"model": model.state_dict(), "step": step, "args": vars(args)}, os.path.join(args.out, "final.pt"))


if __name__ == "__main__":
    main()
