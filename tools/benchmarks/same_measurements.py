"""Checks that two builds of woundmeasure record the same numbers for the same photos.

    python3 tools/benchmarks/same_measurements.py BEFORE/woundmeasure AFTER/woundmeasure PHOTO...

Runs `measure PHOTO --patient X --no-save --json` with each build and compares the JSON,
leaving out what differs by design between two runs (the entry's `id`, `hash` and
`measuredAt`). Prints each photo that differs and the first differing fields; exits 1
if any does. Used to show that a speed change kept every recorded number.
"""

from __future__ import annotations

import json
import subprocess
import sys

VARYING = {"id", "hash", "measuredAt"}


def measured(tool: str, photo: str) -> object:
    out = subprocess.run([tool, "measure", photo, "--patient", "X", "--no-save", "--json"],
                         capture_output=True, text=True, check=True).stdout
    return strip(json.loads(out))


def strip(value: object) -> object:
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in VARYING}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def differences(a: object, b: object, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(set(a) | set(b)):
            found += differences(a.get(key), b.get(key), f"{path}.{key}")
        return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} -> {b!r}"]


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    before, after, photos = sys.argv[1], sys.argv[2], sys.argv[3:]
    differing = 0
    for photo in photos:
        found = differences(measured(before, photo), measured(after, photo))
        if found:
            differing += 1
            print(f"{photo}: {len(found)} fields differ, first: {'; '.join(found[:3])}")
    print(f"{len(photos)} photos, {differing} differ")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
