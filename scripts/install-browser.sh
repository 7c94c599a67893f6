#!/usr/bin/env bash
# Install what the browser test of the docs pages needs: Debian's Chromium, run headless.
set -euo pipefail
if command -v chromium >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-browser: run as root, or install chromium yourself" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
