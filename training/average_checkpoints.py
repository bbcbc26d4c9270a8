"""Averages the weights of training checkpoints uniformly (a "model soup").

    python3 training/average_checkpoints.py OUT.pt A.pt B.pt [...]

The checkpoints must be of the same network started from the same weights,
with batch norm fixed (`--init-wmseg` or `--freeze-bn`), so that averaging
their floating-point tensors is meaningful; integer buffers are taken from
the first. OUT.pt is read by `export.py --checkpoint` like any checkpoint.
"""
import sys

import torch


def main() -> None:
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    out, paths = sys.argv[1], sys.argv[2:]
    states = [torch.load(path, map_location="cpu") for path in paths]
    averaged = {}
    for key, value in states[0]["model"].items():
        averaged[key] = sum(s["model"][key] for s in states) / len(states) if value.is_floating_point() else value
    result = dict(states[0])
    result["model"] = averaged
    torch.save(result, out)
    print(f"wrote {out}: the mean of {len(paths)} checkpoints")


if __name__ == "__main__":
    main()
