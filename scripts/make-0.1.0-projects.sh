#!/usr/bin/env bash
# Make tests/fixtures/fastml-0.1.0-projects.tar.gz: two projects made by fastml 0.1.0 itself
# (commit 10345bc, installed in a throwaway virtualenv), each given endpoints of every kind
# with its add-endpoint.  tests/test_update.py updates them, and checks that fastml renders
# template 0.1.0 plus those endpoints byte for byte as fastml 0.1.0 made them.
#
#   bash scripts/make-0.1.0-projects.sh      # needs the repository's git history
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git -C "$root" archive 10345bc | tar -x -C "$work" --one-top-level=fastml-0.1.0
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work/fastml-0.1.0"
fastml="$work/venv/bin/fastml"

mkdir "$work/projects"
cd "$work/projects"
"$fastml" new "Old Service" --no-input --set author_name=Ada \
    --set description="Predicts iris species." >/dev/null
(
    cd old-service
    "$fastml" add-endpoint score >/dev/null
    "$fastml" add-endpoint stats --method GET >/dev/null
    "$fastml" add-endpoint items --crud >/dev/null
    "$fastml" add-endpoint telemetry --udp --port 9999 >/dev/null
)
"$fastml" new "Full Service" --no-input --set model_framework=custom --set metrics=yes \
    --set json_logging=yes --set kubernetes=yes --set ci=gitlab --set python_version=3.12 >/dev/null
(
    cd full-service
    "$fastml" add-endpoint "Explain Prediction" --method PUT >/dev/null
    "$fastml" add-endpoint feedback --crud >/dev/null
    "$fastml" add-endpoint beacon --udp --port 9998 >/dev/null
    "$fastml" add-endpoint "drop cache" --method DELETE --path "/cache/{key}" >/dev/null
)
find . -name __pycache__ -prune -exec rm -rf {} +
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - old-service full-service \
    | gzip -9n > "$root/tests/fixtures/fastml-0.1.0-projects.tar.gz"
echo "wrote tests/fixtures/fastml-0.1.0-projects.tar.gz"
