#!/usr/bin/env bash
# Installs the Debian packages the study links against, only those that are missing.
# Idempotent: a second run installs nothing and does not touch the network.
set -euo pipefail

PACKAGES=(
  pkg-config
  libsndfile1-dev   # audio decoding (WAV, AIFF, FLAC)
  libsoxr-dev       # the resampler librosa >= 0.10 uses (soxr_hq)
  libfftw3-dev      # STFT (single precision fftw3f)
  libopenblas-dev   # sgemm for the neural network and the mel projection
  libpng-dev        # figures
  libfreetype-dev   # text in figures
  fonts-dejavu-core # DejaVu Sans
  libespeak-ng-dev  # the synthetic TESS-shaped corpus
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
