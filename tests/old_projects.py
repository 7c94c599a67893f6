"""Projects made by fastml 0.1.0, their owners' edits, and fastml update run on them.

The projects come from ``fixtures/fastml-0.1.0-projects.tar.gz``, made by fastml 0.1.0 itself
with its add-endpoint (``scripts/make-0.1.0-projects.sh``): ``old-service`` (the default
answers; a POST and a GET route, a REST resource, a UDP listener) and ``full-service``
(custom model, metrics, JSON logs, Kubernetes, GitLab CI; four endpoints, one with a path).
"""

from __future__ import annotations

import re
import subprocess
import tarfile
from pathlib import Path

from typer.testing import CliRunner, Result

from fastml_scaffold.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "fastml-0.1.0-projects.tar.gz"
OLD_PROJECTS = ("old-service", "full-service")

EXTRA_ROUTER = """\"\"\"Our own router.\"\"\"

from fastapi import APIRouter

router = APIRouter()


@router.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
"""


def made_by_0_1_0(name: str, into: Path) -> Path:
    """The project ``name`` as fastml 0.1.0 made it, unpacked into ``into``."""
    with tarfile.open(FIXTURE) as tar:
        members = [m for m in tar.getmembers() if m.name.split("/")[0] == name]
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12, 3.11.4 and later
            tar.extractall(into, members=members, filter="data")
        else:  # our own fixture: nothing in it escapes the folder
            tar.extractall(into, members=members)
    return into / name


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=a@b", "-c", "user.name=a", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def commit(root: Path, message: str = "edit") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, "--allow-empty")


def committed(root: Path) -> Path:
    git(root, "init", "-q")
    commit(root, "made by fastml 0.1.0")
    return root


def update(root: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["update", "--project", str(root), *args])


def edit_as_owner(root: Path) -> None:
    """The owner's edits of the usual kinds, on old-service."""
    with (root / "README.md").open("a") as readme:  # a section of their own
        readme.write("\n## Our notes\n\nHow we deploy.\n")
    _replace(  # a dependency added
        root / "pyproject.toml",
        '"pydantic-settings>=2.3",',
        '"pydantic-settings>=2.3",\n    "orjson>=3.9",',
    )
    (root / "app" / "routers" / "extra.py").write_text(EXTRA_ROUTER)  # a router by hand...
    _replace(  # ...registered by hand, after the endpoints add-endpoint registered
        root / "app" / "main.py",
        "from app.routers import health, items, predict, score, stats",
        "from app.routers import extra, health, items, predict, score, stats",
    )
    _replace(
        root / "app" / "main.py",
        "    app.include_router(items.router)\n",
        "    app.include_router(items.router)\n    app.include_router(extra.router)\n",
    )
    _replace(root / "app" / "config.py", "default=8000,", "default=8080,")  # a default changed
    _replace(  # the logic of a route that add-endpoint made
        root / "app" / "routers" / "score.py",
        "return ScoreResponse(text=body.text, length=len(body.text))",
        "return ScoreResponse(text=body.text.strip(), length=len(body.text.strip()))",
    )
    with (root / "app" / "train.py").open("a") as train:  # a change only the owner made
        train.write("\n# Our training notes.\n")


# A conflict: the project's lines, the template's old lines (git merge-file --diff3), its new.
OURS = "<<<<<<< your project\n"
BASE = r"\|\|\|\|\|\|\| template [0-9.]+\n.*?"


def resolve(root: Path) -> None:
    """Resolve the update's conflicts as the owner would: both sides' lines, and their own
    router in the new imports of app/main.py."""
    main = root / "app" / "main.py"
    main.write_text(
        re.sub(
            rf"{OURS}.*?{BASE}=======\n(.*?)>>>>>>> template [0-9.]+\n",
            lambda m: m.group(1).replace("import health,", "import extra, health,"),
            main.read_text(),
            flags=re.S,
        )
    )
    for name in ("pyproject.toml", "README.md"):
        path = root / name
        text = re.sub(
            rf"{OURS}(.*?){BASE}=======\n(.*?)>>>>>>> template [0-9.]+\n",
            lambda m: m.group(2) + m.group(1),
            path.read_text(),
            flags=re.S,
        )
        path.write_text(text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
