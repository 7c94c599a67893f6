#!/usr/bin/env bash
# Install what the container test needs: buildah (builds and runs OCI images without a
# Docker engine) and debootstrap (makes the base image locally, since none can be pulled).
set -euo pipefail
if command -v buildah >/dev/null && command -v debootstrap >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-container-tools: run as root, or install buildah and debootstrap yourself" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
