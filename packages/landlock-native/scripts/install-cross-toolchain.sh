#!/usr/bin/env bash
# Debian/Ubuntu packages for building the linux-arm64 prebuilds on an x64 machine:
# the aarch64 cross compilers, and (--with-qemu) qemu-user with the arm64 C library
# to run the cross-built launcher and load the addon under emulation as a check.
set -euo pipefail
packages=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu)
[[ "${1:-}" == "--with-qemu" ]] && packages+=(qemu-user libc6-arm64-cross libstdc++6-arm64-cross)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
[[ ${#missing[@]} -eq 0 ]] && exit 0
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
