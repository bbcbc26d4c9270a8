#!/usr/bin/env bash
# Installs what woundmeasure needs on a fresh Debian machine, builds it, and
# runs the main job on the bundled sample photos: every photo under
# samples/photos is measured into per-patient timelines in ./timelines, with
# overlays and masks in ./out, then the timelines are audited and the healing
# report of the sample patient series is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libpng-dev libjpeg-dev libexif-dev libapriltag-dev libheif-dev libjpeg-turbo-progs pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

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
