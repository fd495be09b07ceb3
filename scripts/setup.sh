#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root) and builds Convscope into build/.
# Safe to run again: it installs nothing that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Everything the project needs from apt, in one list.
packages=(
  build-essential meson ninja-build pkg-config python3
  libglib2.0-dev libopenblas-dev zlib1g-dev
  libpng-dev libjpeg62-turbo-dev
  protobuf-c-compiler libprotobuf-c-dev
  dataset-fashion-mnist
  libcairo2-dev libpango1.0-dev libpng-dev fonts-dejavu-core
  libgtk-4-dev libadwaita-1-dev libglib2.0-bin
  libvlfeat-dev
)
if [[ "${CONVSCOPE_TEST_PACKAGES:-0}" == 1 ]]; then
  # the sanitizer build of the test suite
  packages+=(libasan8 libubsan1)
  # the window's tests run under Xvfb; the desktop file and metainfo validate
  packages+=(xvfb xauth desktop-file-utils appstream)
  # exported ONNX files are checked with ONNX's checker and run in PyTorch
  # (tools/check-onnx-export.py); tools/make-onnx-tests.py needs them too
  packages+=(python3-onnx python3-torch)
  # torchvision's resnet18 and vgg16 for scripts/compare-imported.sh (tools/bench-torch-imported.py)
  packages+=(python3-torchvision)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: run as root (or with sudo) to install packages" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -f build/build.ninja ]]; then
  meson setup build --buildtype=release -Db_ndebug=false >/dev/null
fi
ninja -C build >/dev/null
echo "setup: built build/app/convscope"
