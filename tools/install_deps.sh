#!/usr/bin/env bash
# Installs the Debian 12 packages Ember builds with, skipping those already present.
set -euo pipefail

packages=(cmake ninja-build g++ libboost-dev libdnnl-dev liblapack-dev libfmt-dev libsleef-dev libyaml-cpp-dev nlohmann-json3-dev zlib1g-dev doctest-dev
          clang libc++-dev libc++abi-dev  # the toy device plugin, built the way another vendor might
          hipcc libamdhip64-dev)          # the ROCm backend
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
