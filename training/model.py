"""Wound segmentation network: EfficientNet-Lite0 encoder (ImageNet weights) and a light U-Net decoder.

The encoder is written in plain torch so that the published checkpoint
(lukemelas EfficientNet-PyTorch naming) loads exactly, including TensorFlow's
asymmetric "same" padding for stride-2 convolutions. Only the stages up to
stride 16 are used: the stride-32 stages (192 and 320 channels) hold most of the
parameters and would make the shipped file several times larger.

Every convolution is a `ConvUnit` (conv, batch norm, activation) with an
explicit padding of [top, left, bottom, right]; `graph_ops` lists the network as
the flat op sequence written to the `.wmseg` file.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 1e-3  # the EfficientNet checkpoint's batch-norm epsilon
BN_MOMENTUM = 0.01

# (repeats, kernel, stride, expand ratio, in channels, out channels) of the
# EfficientNet-Lite0 stages, kept up to stride 16.
LITE0_STAGES = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
]
# Blocks whose outputs feed the decoder (index into the flat block list) and their strides.
SKIP_BLOCKS = {0: 2, 2: 4, 4: 8}  # 16 ch at /2, 24 ch at /4, 40 ch at /8
DECODER_CHANNELS = (64, 32, 24)  # after fusing with the /8, /4 and /2 skips


def same_padding(kernel: int, stride: int) -> list[int]:
    """TensorFlow "same" padding [top, left, bottom, right] for input sizes that are multiples of 32."""
    if stride == 1:
        p = (kernel - 1) // 2
        return [p, p, p, p]
    total = max(kernel - stride, 0)  # for even sizes: (n/2 - 1) * 2 + k - n
    before = total // 2
    after = total - before
    return [before, before, after, after]


class ConvUnit(nn.Module):
    """Conv2d (no bias) + BatchNorm + activation, with explicit asymmetric padding."""

    def __init__(self, cin: int, cout: int, k: int, stride: int = 1, groups: int = 1,
                 act: str = "relu6", pad: list[int] | None = None):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=0, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.act = act
        self.pad = pad if pad is not None else same_padding(k, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, l, b, r = self.pad
        if any(self.pad):
            x = F.pad(x, (l, r, t, b))
        x = self.bn(self.conv(x))
        if self.act == "relu6":
            x = F.relu6(x)
        elif self.act == "relu":
            x = F.relu(x)
        return x

    def folded(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Weight and bias with the batch norm folded in (float64 for accuracy)."""
        w = self.conv.weight.detach().double()
        bn = self.bn
        scale = bn.weight.detach().double() / torch.sqrt(bn.running_var.detach().double() + bn.eps)
        wf = w * scale.view(-1, 1, 1, 1)
        bf = bn.bias.detach().double() - bn.running_mean.detach().double() * scale
        return wf, bf


class MBBlock(nn.Module):
    """Inverted residual block of EfficientNet-Lite (no squeeze-excitation, ReLU6)."""

    def __init__(self, cin: int, cout: int, k: int, stride: int, expand: int):
        super().__init__()
        mid = cin * expand
        self.expand = ConvUnit(cin, mid, 1) if expand != 1 else None
        self.depthwise = ConvUnit(mid, mid, k, stride=stride, groups=mid)
        self.project = ConvUnit(mid, cout, 1, act="none")
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.expand(x) if self.expand is not None else x
        y = self.project(self.depthwise(y))
        return x + y if self.residual else y


class WoundSegNet(nn.Module):
    """`classes` output channels: 1 for the outline (sigmoid), 4 for the tissue model (softmax)."""

    def __init__(self, classes: int = 1):
        super().__init__()
        self.stem = ConvUnit(3, 32, 3, stride=2)
        blocks = []
        for repeats, k, s, e, cin, cout in LITE0_STAGES:
            for i in range(repeats):
                blocks.append(MBBlock(cin if i == 0 else cout, cout, k, s if i == 0 else 1, e))
        self.blocks = nn.ModuleList(blocks)
        c8, c4, c2 = DECODER_CHANNELS
        # Decoder: upsample x2, concatenate the skip, then a 3x3 conv-BN-ReLU at /8 and
        # depthwise-separable 3x3 units (cheaper at the larger /4 and /2 sizes), then a 1x1 head.
        self.dec8 = nn.Sequential(ConvUnit(112 + 40, c8, 3, act="relu"))
        self.dec4 = nn.Sequential(ConvUnit(c8 + 24, c8 + 24, 3, groups=c8 + 24, act="relu"),
                                  ConvUnit(c8 + 24, c4, 1, act="relu"))
        self.dec2 = nn.Sequential(ConvUnit(c4 + 16, c4 + 16, 3, groups=c4 + 16, act="relu"),
                                  ConvUnit(c4 + 16, c2, 1, act="relu"))
        self.head = nn.Conv2d(c2, classes, 1, bias=True)

    def encoder_parameters(self):
        yield from self.stem.parameters()
        yield from self.blocks.parameters()

    def decoder_parameters(self):
        for m in (self.dec8, self.dec4, self.dec2, self.head):
            yield from m.parameters()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: normalised input (rgb - 127) / 128, N x 3 x H x W with H, W multiples of 32."""
        y = self.stem(x)
        skips = {}
        for i, block in enumerate(self.blocks):
            y = block(y)
            if i in SKIP_BLOCKS:
                skips[SKIP_BLOCKS[i]] = y
        y = F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        y = self.dec8(torch.cat([y, skips[8]], 1))
        y = F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        y = self.dec4(torch.cat([y, skips[4]], 1))
        y = F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        y = self.dec2(torch.cat([y, skips[2]], 1))
        y = self.head(y)
        return F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)


def load_pretrained_encoder(model: WoundSegNet, path: str) -> None:
    """Copies the EfficientNet-Lite0 checkpoint's stem and blocks 0..10 into `model`."""
    sd = torch.load(path, map_location="cpu")

    def copy_unit(unit: ConvUnit, conv_key: str, bn_key: str) -> None:
        unit.conv.weight.data.copy_(sd[conv_key + ".weight"])
        for name in ("weight", "bias", "running_mean", "running_var"):
            getattr(unit.bn, name).data.copy_(sd[f"{bn_key}.{name}"])

    copy_unit(model.stem, "_conv_stem", "_bn0")
    for i, block in enumerate(model.blocks):
        p = f"_blocks.{i}."
        if block.expand is not None:
            copy_unit(block.expand, p + "_expand_conv", p + "_bn0")
        copy_unit(block.depthwise, p + "_depthwise_conv", p + "_bn1")
        copy_unit(block.project, p + "_project_conv", p + "_bn2")


def graph_ops(model: WoundSegNet) -> list[tuple[dict, list[torch.Tensor]]]:
    """The network as (op, [folded weight, bias]) pairs in execution order.

    Offsets are filled in by the exporter; tensor names are short strings.
    """
    ops: list[tuple[dict, list[torch.Tensor]]] = []
    counter = [0]

    def fresh(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def conv(unit: ConvUnit, src: str, prefix: str = "t") -> str:
        out = fresh(prefix)
        w, b = unit.folded()
        c = unit.conv
        ops.append(({"op": "conv2d", "in": src, "out": out, "cin": c.in_channels, "cout": c.out_channels,
                     "k": c.kernel_size[0], "stride": c.stride[0], "pad": list(unit.pad), "groups": c.groups,
                     "act": unit.act}, [w, b]))
        return out

    def simple(op: dict) -> str:
        out = fresh("t")
        op = dict(op)
        op["out"] = out
        ops.append((op, []))
        return out

    y = conv(model.stem, "input")
    skips = {}
    for i, block in enumerate(model.blocks):
        x = y
        z = conv(block.expand, x) if block.expand is not None else x
        z = conv(block.project, conv(block.depthwise, z))
        y = simple({"op": "add", "in": [x, z]}) if block.residual else z
        if i in SKIP_BLOCKS:
            skips[SKIP_BLOCKS[i]] = y
    for stride, unit in ((8, model.dec8), (4, model.dec4), (2, model.dec2)):
        y = simple({"op": "upsample2x", "in": y, "mode": "bilinear"})
        y = simple({"op": "concat", "in": [y, skips[stride]]})
        for sub in unit:
            y = conv(sub, y)
    head = model.head
    out = fresh("t")
    ops.append(({"op": "conv2d", "in": y, "out": out, "cin": head.in_channels, "cout": head.out_channels, "k": 1, "stride": 1,
                 "pad": [0, 0, 0, 0], "groups": 1, "act": "none"},
                [head.weight.detach().double(), head.bias.detach().double()]))
    ops.append(({"op": "upsample2x", "in": out, "out": "logits", "mode": "bilinear"}, []))
    return ops


def run_ops(ops: list[dict], blob: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Executes a `.wmseg` op list on a float32 1 x 3 x H x W normalised input; returns the logits.

    This is the reference semantics the Swift runtime reproduces.
    """
    env = {"input": x}
    for op in ops:
        kind = op["op"]
        if kind == "conv2d":
            cin, cout, k, g = op["cin"], op["cout"], op["k"], op["groups"]
            n = cout * (cin // g) * k * k
            w = blob[op["w"]:op["w"] + n].view(cout, cin // g, k, k)
            b = blob[op["b"]:op["b"] + cout]
            t, l, bo, r = op["pad"]
            y = F.pad(env[op["in"]], (l, r, t, bo))
            y = F.conv2d(y, w, b, stride=op["stride"], groups=g)
            if op["act"] == "relu6":
                y = F.relu6(y)
            elif op["act"] == "relu":
                y = F.relu(y)
        elif kind == "add":
            y = env[op["in"][0]] + env[op["in"][1]]
        elif kind == "concat":
            y = torch.cat([env[name] for name in op["in"]], 1)
        elif kind == "upsample2x":
            mode = op["mode"]
            y = F.interpolate(env[op["in"]], scale_factor=2, mode=mode,
                              **({"align_corners": False} if mode == "bilinear" else {}))
        elif kind == "relu6":
            y = F.relu6(env[op["in"]])
        elif kind == "relu":
            y = F.relu(env[op["in"]])
        else:
            raise ValueError(f"unknown op {kind}")
        env[op["out"]] = y
    return env["logits"]


def count_macs(model: WoundSegNet, size: int = 256) -> int:
    """Multiply-adds of the convolutions for one size x size input."""
    total = 0
    hooks = []

    def hook(m, inp, out):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            total += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(hook))
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, size, size))
    for h in hooks:
        h.remove()
    return total


def conv_modules(model: WoundSegNet) -> list[nn.Module]:
    """The network's ConvUnits and its head in the order `graph_ops` writes them."""
    units: list[nn.Module] = [model.stem]
    for block in model.blocks:
        if block.expand is not None:
            units.append(block.expand)
        units += [block.depthwise, block.project]
    for seq in (model.dec8, model.dec4, model.dec2):
        units += list(seq)
    units.append(model.head)
    return units


def load_folded(model: WoundSegNet, ops: list[dict], blob: torch.Tensor, skip_head: bool = False) -> None:
    """Loads an exported op list's folded weights back into `model`.

    Each batch norm becomes the identity plus the folded bias (weight 1, running mean 0,
    running variance 1 - eps), so the module in eval mode computes exactly what the file
    computes; training then goes on with the batch-norm statistics fixed (`--freeze-bn`).
    With `skip_head` the last convolution (the head) keeps its own initialisation: the
    tissue model starts from the outline model's features with a head of its own.
    """
    convs = [op for op in ops if op["op"] == "conv2d"]
    units = conv_modules(model)
    if len(convs) != len(units):
        raise ValueError(f"model file has {len(convs)} convolutions, the network {len(units)}")
    if skip_head:
        convs, units = convs[:-1], units[:-1]
    for op, unit in zip(convs, units):
        conv = unit.conv if isinstance(unit, ConvUnit) else unit
        n = conv.weight.numel()
        conv.weight.data.copy_(blob[op["w"]:op["w"] + n].view_as(conv.weight))
        bias = blob[op["b"]:op["b"] + op["cout"]]
        if isinstance(unit, ConvUnit):
            unit.bn.weight.data.fill_(1.0)
            unit.bn.bias.data.copy_(bias)
            unit.bn.running_mean.data.zero_()
            unit.bn.running_var.data.fill_(1.0 - unit.bn.eps)
        else:
            conv.bias.data.copy_(bias)
