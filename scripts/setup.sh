#!/usr/bin/env bash
# Installs everything cordon needs on a fresh machine with Node 20, npm and a C
# toolchain: the pinned pnpm, the dependencies (frozen lockfile), the native
# addon and launcher (built against the local Node headers, never downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
PNPM_PIN=12.4.2
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_PIN" ]; then
  npm install -g --allow-scripts=pnpm "pnpm@$PNPM_PIN"
fi
pnpm install --frozen-lockfile
