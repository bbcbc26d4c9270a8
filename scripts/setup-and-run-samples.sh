#!/usr/bin/env bash
# Installs what woundmeasure and its tests need on a fresh Debian machine
# (scripts/install-dependencies.sh), builds it, and
# runs the main job on the bundled sample photos: every photo under
# samples/photos is measured into per-patient timelines in ./timelines, with
# overlays and masks in ./out, then the timelines are audited and the healing
# report of the sample patient series is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh

swift build -c release
bin="$(swift build -c release --show-bin-path)/woundmeasure"

# Start from empty timelines so that the run shows every sample measured.
rm -rf timelines out
echo "== batch: every sample photo into its patient's timeline"
"$bin" batch samples/photos --timeline-dir timelines --output out
echo
echo "== audit: hash chains, photo identities, re-measured figures"
"$bin" audit timelines/*.json
echo
echo "== healing report of patient P001 (a synthetic healing series, see samples/README.md)"
"$bin" timeline P001 --timeline-dir timelines --chart out/P001-left-heel.svg
echo
echo "Overlays and masks: out/   Timelines: timelines/   Chart: out/P001-left-heel.svg"
