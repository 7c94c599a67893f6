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
MAX_NAME_LENGTH = 50  # Kubernetes names are at most 63 characters, suffixes included
_TEMPLATE_SYNTAX = ("{{", "}}", "{%", "%}", "{#", "#}")
# A backslash is both a path separator and an escape in the Python and TOML strings the
# name is written into; a double quote would end those strings.
_PATH_SEPARATORS = ("/", "\\")


# The file ``python -m app.train`` writes, by model framework: its suffix says its format.
MODEL_FILES = {
    "sklearn": "model.joblib",
    "onnx": "model.onnx",
    "pytorch": "model.pt",
    "custom": "model.json",
}


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


# ---------------------------------------------------------------------------------------
# Endpoints: `fastml add-endpoint NAME`

MAX_ENDPOINT_LENGTH = 30
MAX_PATH_LENGTH = 60  # so the generated lines that quote it stay within the line length
# Names the generated router module binds itself, so an endpoint cannot take them.
_ENDPOINT_RESERVED = frozenset({"router", "status", "app", "tests", "conftest"})
# Names a resource's router imports or defines; a resource's class may not take one.
_RESOURCE_RESERVED = frozenset(
    {"Annotated", "Any", "Depends", "HTTPException", "Query", "Repository", "Response", "Router"}
)
_ENDPOINT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_ -]*$")
_PATH_PATTERN = re.compile(r"^(/[A-Za-z0-9._~-]+|/\{[A-Za-z_][A-Za-z0-9_]*\})+$")


@dataclass(frozen=True)
class EndpointNames:
    """The names of one endpoint, all derived from the name a user gives."""

    module: str  # "batch_score": router, repository or listener module; test module suffix
    singular: str  # "item" for a resource named "items": one member, in function names
    class_prefix: str  # "BatchScore" ("Item" for a resource named "items")
    path: str  # "/batch-score", or the --path given
    tag: str  # "batch-score": its group in /docs
    title: str  # "Batch score"
    env_name: str  # "BATCH_SCORE": settings of a listener

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", self.path))


def derive_endpoint_names(
    name: str, *, path: str | None = None, resource: bool = False
) -> EndpointNames:
    """Check an endpoint name (and ``--path``) and derive the endpoint's other names."""
    import keyword

    given = name.strip()
    if not given:
        raise InvalidNameError("The endpoint name is empty: e.g. fastml add-endpoint score.")
    check_plain_text(given, "Endpoint name", InvalidNameError)
    module = re.sub(r"[\s-]+", "_", given).lower()
    if not _ENDPOINT_NAME.match(given) or not module.isidentifier():
        raise InvalidNameError(
            f"Endpoint name {given!r} does not make a Python module name: "
            "use letters, digits and underscores, starting with a letter."
        )
    if keyword.iskeyword(module) or keyword.issoftkeyword(module) or module in _ENDPOINT_RESERVED:
        raise InvalidNameError(f"Endpoint name {given!r} is a reserved word: choose another.")
    if len(module) > MAX_ENDPOINT_LENGTH:
        raise InvalidNameError(
            f"Endpoint name {given!r} is too long: give at most {MAX_ENDPOINT_LENGTH} characters."
        )
    words = module.split("_")
    if resource:
        words[-1] = _singular(words[-1])
        if "".join(word.capitalize() for word in words) in _RESOURCE_RESERVED:
            raise InvalidNameError(
                f"Resource name {given!r} would clash with a name its router uses: choose another."
            )
    return EndpointNames(
        module=module,
        singular="_".join(words),
        class_prefix="".join(word.capitalize() for word in words),
        path=_check_path(path) if path is not None else "/" + module.replace("_", "-"),
        tag=module.replace("_", "-"),
        title=" ".join(module.split("_")).capitalize(),
        env_name=module.upper(),
    )


def _check_path(path: str) -> str:
    path = path.strip()
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/")
    if len(path) > MAX_PATH_LENGTH:
        raise InvalidNameError(
            f"Path {path!r} is too long: give at most {MAX_PATH_LENGTH} characters."
        )
    if not _PATH_PATTERN.match(path):
        raise InvalidNameError(
            f"Path {path!r} is not a URL path fastml can route: start with /, and use "
            "letters, digits, - . _ ~ and {parameters}, e.g. --path /v1/scores/{score_id}."
        )
    return path


def _singular(word: str) -> str:
    """'items' -> 'item', 'categories' -> 'category'; a name for one member of a resource."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word
