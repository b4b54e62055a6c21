#!/usr/bin/env bash
# Installs everything cordon needs on a fresh machine with Node 20, npm and a C
# toolchain: the pinned pnpm, the dependencies (frozen lockfile), the native
# addon and launcher (built against the local Node headers, never downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
# Programs the demo and the tests run inside the sandbox (Debian packages).
need=()
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
command -v python3 >/dev/null || need+=(python3)
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "setup: please install: ${need[*]}" >&2
  fi
fi

PNPM_PIN=12.4.2
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_PIN" ]; then
  npm install -g --allow-scripts=pnpm "pnpm@$PNPM_PIN"
fi
pnpm install --frozen-lockfile
