"""Tell whether the docs pages' files that generated projects get are current.

Generated projects serve Swagger UI and ReDoc from the files the fastapi-offline package
ships (app/docs.py), with a floor on its version in the template's pyproject.toml.  This
compares that floor with the newest fastapi-offline on the package index, and shows the
newest Swagger UI and ReDoc on npm, which fastapi-offline follows.  Exit 1 when a newer
fastapi-offline exists: raise the floor once the browser test (tests/test_docs_browser.py)
passes with it.

    python scripts/check-docs-assets.py      # make check-assets
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

TEMPLATE_PYPROJECT = (
    Path(__file__).resolve().parents[1]
    / "templates/project/{{cookiecutter.project_slug}}/pyproject.toml"
)


def _floor() -> tuple[int, ...]:
    found = re.search(r'"fastapi-offline>=([0-9.]+)"', TEMPLATE_PYPROJECT.read_text())
    if found is None:
        sys.exit("error: the template's pyproject.toml names no fastapi-offline floor")
    return _version(found.group(1))


def _newest_on_index() -> tuple[int, ...]:
    listing = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "fastapi-offline"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"fastapi-offline \(([0-9.]+)\)", listing)
    if found is None:
        sys.exit("error: pip index versions gave no version of fastapi-offline")
    return _version(found.group(1))


def _npm_latest(package: str) -> str:
    try:
        with urllib.request.urlopen(
            f"https://registry.npmjs.org/{package}/latest", timeout=10
        ) as r:
            return str(json.load(r)["version"])
    except OSError as error:
        return f"unknown ({error})"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def main() -> int:
    floor, newest = _floor(), _newest_on_index()
    shown = ".".join(map(str, newest))
    print(f"fastapi-offline: the template asks for >={'.'.join(map(str, floor))}; newest {shown}")
    print(f"npm: swagger-ui-dist {_npm_latest('swagger-ui-dist')}, redoc {_npm_latest('redoc')}")
    if newest[: len(floor)] > floor:
        print(f"Newer docs files exist: try fastapi-offline {shown}, then raise the floor.")
        return 1
    print("The template's docs files are current.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
