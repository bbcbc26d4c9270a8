"""CPU and wall time of two builds of woundmeasure on the same photos, alternating run by run.

    python3 tools/benchmarks/compare_builds.py BEFORE/woundmeasure AFTER/woundmeasure [--rounds N] \
        [--photos DIR] [-- EXTRA MEASURE ARGUMENTS...]

Each round measures every photo (`measure PHOTO --patient X --no-save --json`, plus the extra
arguments, for example `--threads 1`) with both builds, the order swapped every other round,
and prints each build's median user + system CPU time, system time alone and wall time per
photo. On a shared machine a small difference shows only over many alternating runs; the
`WoundBenchmarks measure` ratios against `djpeg` are the figures the speed targets read.
"""

from __future__ import annotations

import argparse
import glob
import os
import resource
import statistics
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--photos", default="/tmp/woundmeasure-12mp",
                        help="folder of JPEGs (tools/benchmarks/make_12mp_photos.py makes the usual 8)")
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    photos = sorted(glob.glob(os.path.join(args.photos, "*.jpg")))
    if not photos:
        raise SystemExit(f"no .jpg photos in {args.photos}")
    builds = [args.before, args.after]
    figures = {b: {"cpu": [], "sys": [], "wall": []} for b in builds}
    for round_index in range(args.rounds):
        for photo in photos:
            for build in builds if round_index % 2 == 0 else builds[::-1]:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                subprocess.run([build, "measure", photo, "--patient", "X", "--no-save", "--json", *extra],
                               stdout=subprocess.DEVNULL, check=True)
                wall = time.perf_counter() - started
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                system = after.ru_stime - before.ru_stime
                figures[build]["cpu"].append(after.ru_utime - before.ru_utime + system)
                figures[build]["sys"].append(system)
                figures[build]["wall"].append(wall)
    for build in builds:
        f = figures[build]
        print(f"{build}: median CPU {1000 * statistics.median(f['cpu']):.1f} ms, system "
              f"{1000 * statistics.median(f['sys']):.1f} ms, wall {1000 * statistics.median(f['wall']):.1f} ms "
              f"({len(f['cpu'])} runs)")


if __name__ == "__main__":
    main()
