#!/usr/bin/env bash
# Installs what woundmeasure and its tests need on a Debian machine, once:
# the C libraries it is built on, the programs its tests compare with
# (djpeg, heif-enc/heif-dec, chromium, GNU parallel), and, in the virtual
# environment the tests find (.build/readers-venv), the pinned independent
# readers of tools/readers/requirements.txt (FHIR R4, ImageJ ROIs).
# Used by scripts/setup-and-run-samples.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libpng-dev libjpeg-dev libexif-dev libapriltag-dev libheif-dev libjpeg-turbo-progs libheif-examples pkg-config
  chromium python3 python3-venv parallel)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .build/readers-venv/bin/python3 ]; then
  mkdir -p .build
  python3 -m venv .build/readers-venv
fi
.build/readers-venv/bin/python3 -m pip install --quiet --disable-pip-version-check -r tools/readers/requirements.txt
