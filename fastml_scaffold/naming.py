"""Every name fastml derives from the one a user types, computed in one place.

``templates/project/cookiecutter.json`` derives the same names with Jinja, so the template
also works under plain ``cookiecutter``; a test keeps the two in agreement.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from fastml_scaffold.errors import InvalidNameError

# The generated code lives in the package ``app``, as the seed layout has it: ``python -m app``.
PACKAGE_NAME = "app"
# Short enough for a folder name, and for the generated lines that quote it to stay short.
MAX_NAME_LENGTH = 64
_TEMPLATE_SYNTAX = ("{{", "}}", "{%", "%}", "{#", "#}")
# A backslash is both a path separator and an escape in the Python and TOML strings the
# name is written into; a double quote would end those strings.
_PATH_SEPARATORS = ("/", "\\")


@dataclass(frozen=True)
class ProjectNames:
    """The names of one project, all derived from its display name."""

    display_name: str  # "Iris Service": titles, README, OpenAPI
    slug: str  # "iris-service": folder, distribution name, image name
    env_prefix: str  # "IRIS_SERVICE_": prefix of the settings' environment variables
    package: str = PACKAGE_NAME


def slugify(text: str) -> str:
    """Return the folder slug of ``text`` exactly as Cookiecutter's ``slugify`` filter does."""
    from slugify import slugify as _slugify  # python-slugify, a dependency of Cookiecutter

    return str(_slugify(text))


def derive_names(project_name: str) -> ProjectNames:
    """Check a display name and derive the project's other names, or raise ``InvalidNameError``."""
    display_name = project_name.strip()
    _check_display_name(display_name)
    slug = slugify(display_name)
    if not slug:
        raise InvalidNameError(
            f"Cannot make a folder name from {project_name!r}: "
            'use letters or digits, e.g. fastml new "Iris Service".'
        )
    if not slug[0].isalpha():
        raise InvalidNameError(
            f"Project name {project_name!r} gives the folder name {slug!r}, "
            'which must start with a letter: e.g. fastml new "Iris Service".'
        )
    if len(display_name) > MAX_NAME_LENGTH or len(slug) > MAX_NAME_LENGTH:
        raise InvalidNameError(
            f"Project name {project_name[:20]!r}... is too long: "
            f"give at most {MAX_NAME_LENGTH} characters."
        )
    env_prefix = re.sub(r"[^A-Z0-9]", "_", slug.upper()) + "_"
    return ProjectNames(display_name=display_name, slug=slug, env_prefix=env_prefix)


def _check_display_name(name: str) -> None:
    if not name:
        raise InvalidNameError('The project name is empty: e.g. fastml new "Iris Service".')
    check_plain_text(name, "Project name", InvalidNameError)
    if any(sep in name for sep in _PATH_SEPARATORS):
        raise InvalidNameError(
            f"Project name {name!r} contains a path separator: give a plain name, "
            "and choose where the project goes with --output-dir."
        )
    if '"' in name:
        raise InvalidNameError(f"Project name {name!r} contains a double quote: remove it.")


def check_plain_text(text: str, what: str, error: type[Exception]) -> None:
    """Reject text that would be read as a template or break the line it is written on.

    Every answer is rendered into files by Jinja: template syntax in it would run, and a
    control character (a newline, a tab) would break out of its string or its line.
    """
    if any(marker in text for marker in _TEMPLATE_SYNTAX):
        raise error(f"{what} {text!r} contains template syntax ({{{{, {{%, {{#): remove it.")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise error(f"{what} {text!r} contains control characters: give a plain value.")
