"""The template's versions: the one ``fastml new`` renders, and every released one, which
fastml can still render to tell what changed since a project was made.

Each released version is kept as ``template_archive/<version>.tar.gz``, the whole
``templates/`` tree (project and endpoint templates) as it was.  The current one is
archived too, and a test checks that the live templates are exactly its archive: a change
to the templates needs a new version (``make release-template VERSION=x.y.z``).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastml_scaffold import interrupts
from fastml_scaffold.errors import FastmlError

CURRENT = "0.2.0"
# Projects made before template versions were recorded: fastml 0.1.0 rendered them.
UNRECORDED = "0.1.0"
ARCHIVE = Path(__file__).parent / "template_archive"


def released() -> list[str]:
    """Every version fastml can render, oldest first."""
    return sorted((path.name.removesuffix(".tar.gz") for path in ARCHIVE.glob("*.tar.gz")), key=key)


def key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@contextmanager
def templates_of(version: str) -> Iterator[Path]:
    """The ``templates/`` folder of ``version``, unpacked into a temporary folder."""
    archive = ARCHIVE / f"{version}.tar.gz"
    if not archive.is_file():
        known = ", ".join(released())
        raise FastmlError(f"fastml knows no template {version}: it knows {known}.")
    with interrupts.scratch_folder("fastml-template-") as folder:
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):  # Python 3.10.12, 3.11.4 and later
                tar.extractall(folder, filter="data")
            else:  # our own archive: nothing in it escapes the folder
                tar.extractall(folder)
        yield folder / "templates"


def fingerprint(templates: Path) -> str:
    """A digest of every file under ``templates`` (its path and bytes); bytecode aside."""
    digest = hashlib.sha256()
    for path in sorted(templates.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(templates).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def archive(templates: Path, version: str) -> Path:
    """Write ``templates`` as the archive of ``version`` (the same bytes for the same tree)."""
    target = ARCHIVE / f"{version}.tar.gz"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in sorted(templates.rglob("*")):
            if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
                continue
            info = tar.gettarinfo(str(path), arcname=f"templates/{path.relative_to(templates)}")
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            with path.open("rb") as stream:
                tar.addfile(info, stream)
    target.write_bytes(gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0))
    return target
