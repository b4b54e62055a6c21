#!/usr/bin/env bash
# The image's build stage: set up, build, pack the self-contained bundle with the native
# part prebuilt for this machine's arch, and install it into PREFIX (PREFIX/bin/cordon).
#   deploy/image-build.sh SOURCE_DIR PREFIX
set -euo pipefail
src=$1
prefix=$2
cd "$src"
export CI=true TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
bash scripts/setup.sh
pnpm build
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tgz=$(CORDON_PREBUILDS="$(node -p process.arch)" node apps/cli/scripts/pack-bundle.mjs "$out")
npm install -g --offline --no-audit --no-fund --prefix "$prefix" "$tgz"
"$prefix/bin/cordon" --version
