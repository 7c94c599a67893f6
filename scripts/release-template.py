"""Release the live templates as a new template version.

    python scripts/release-template.py 0.3.0      # make release-template VERSION=0.3.0

Archives templates/ as fastml_scaffold/template_archive/<version>.tar.gz and makes it
fastml's current version (versions.CURRENT), so that tests/test_versions.py passes again
and projects made from now on record it.  Every earlier archive stays: fastml check (and
update) render the version a project was made with.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastml_scaffold import versions  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", argv[0]):
        print("usage: release-template.py X.Y.Z", file=sys.stderr)
        return 2
    version = argv[0]
    if versions.key(version) <= versions.key(versions.CURRENT):
        print(f"error: {version} is not newer than {versions.CURRENT}", file=sys.stderr)
        return 1
    print(versions.archive(ROOT / "templates", version))
    source = ROOT / "fastml_scaffold" / "versions.py"
    text = source.read_text(encoding="utf-8")
    source.write_text(
        re.sub(r'^CURRENT = "[^"]*"$', f'CURRENT = "{version}"', text, flags=re.M),
        encoding="utf-8",
    )
    print(f"The current template is {version}: add a CHANGELOG line for it.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
