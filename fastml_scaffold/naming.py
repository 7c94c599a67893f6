"""Every name fastml derives from the one a user types, computed in one place.

``templates/project/cookiecutter.json`` derives the same names with Jinja, so the template
also works under plain ``cookiecutter``; a test keeps the two in agreement.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from fastml_scaffold.errors import InvalidNameError
from fastml_scaffold.templates import template_dir

# The generated code lives in the package ``app``, as the seed layout has it: ``python -m app``.
PACKAGE_NAME = "app"
# Short enough for a folder name, and for the generated lines that quote it to stay short.
MAX_NAME_LENGTH = 50  # Kubernetes names are at most 63 characters, suffixes included
_TEMPLATE_SYNTAX = ("{{", "}}", "{%", "%}", "{#", "#}")
# A backslash is both a path separator and an escape in the Python and TOML strings the
# name is written into; a double quote would end those strings.
_PATH_SEPARATORS = ("/", "\\")
# Unicode categories refused in names and answers: control, format, surrogate, private and
# unassigned characters (C*), and line and paragraph separators (Zl, Zp).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


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
    _check_installable(project_name, display_name, slug)
    env_prefix = re.sub(r"[^A-Z0-9]", "_", slug.upper()) + "_"
    return ProjectNames(display_name=display_name, slug=slug, env_prefix=env_prefix)


# Device names that Windows reserves in every folder, whatever the case.
_WINDOWS_DEVICES = frozenset(
    {
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{n}" for n in range(1, 10)),
        *(f"lpt{n}" for n in range(1, 10)),
    }
)


def _check_installable(project_name: str, display_name: str, slug: str) -> None:
    """Refuse a slug that Windows cannot make a folder of, or that pip cannot install."""
    instead = f'e.g. fastml new "{display_name} Service"'
    if slug in _WINDOWS_DEVICES:
        raise InvalidNameError(
            f"Project name {project_name!r} gives the folder name {slug!r}, which Windows "
            f"reserves for a device: choose another name, {instead}."
        )
    if normalise_distribution(slug) in project_dependencies():
        raise InvalidNameError(
            f"Project name {project_name!r} gives the distribution name {slug!r}, which the "
            f"project depends on: pip cannot install a project that requires a distribution "
            f"of its own name; choose another name, {instead}."
        )


def normalise_distribution(name: str) -> str:
    """A distribution name as pip compares it (PEP 503): "Scikit_Learn" -> "scikit-learn"."""
    return re.sub(r"[-_.]+", "-", name).lower()


# A requirement in the template's pyproject.toml: "fastapi>=0.164", 'uvicorn[standard]>=0.30'.
_REQUIREMENT = re.compile(r"""["']([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*[<>=!~]""")


# Distributions the project's dependencies pull in: a project of one of these names cannot
# be installed either.  Not in the template, so listed here; a test installs the project.
_INDIRECT_DEPENDENCIES = frozenset(
    {
        "annotated-types",
        "anyio",
        "certifi",
        "click",
        "h11",
        "httpcore",
        "httptools",
        "idna",
        "iniconfig",
        "jinja2",
        "markupsafe",
        "packaging",
        "pluggy",
        "pydantic-core",
        "python-dotenv",
        "pyyaml",
        "scipy",
        "sniffio",
        "starlette",
        "threadpoolctl",
        "typing-extensions",
        "typing-inspection",
        "uvloop",
        "watchfiles",
        "websockets",
    }
)


@cache
def project_dependencies() -> frozenset[str]:
    """Every distribution a generated project requires, of every framework and extra.

    Read from the project template's pyproject.toml, the one list of them; only its
    ``[project]`` tables, which come before ``[tool.*]``.
    """
    pyproject = template_dir("project") / "{{cookiecutter.project_slug}}" / "pyproject.toml"
    project_tables = pyproject.read_text(encoding="utf-8").split("\n[tool.", 1)[0]
    direct = {normalise_distribution(name) for name in _REQUIREMENT.findall(project_tables)}
    return frozenset(direct | _INDIRECT_DEPENDENCIES)


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
    control character (a newline, a tab) or a line or paragraph separator (U+2028, U+2029:
    line breaks to YAML, JavaScript and str.splitlines) would break out of its string or
    its line.
    """
    if any(marker in text for marker in _TEMPLATE_SYNTAX):
        raise error(f"{what} {text!r} contains template syntax ({{{{, {{%, {{#): remove it.")
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in text):
        raise error(
            f"{what} {text!r} contains control characters or line breaks: give a plain value."
        )


# ---------------------------------------------------------------------------------------
# Endpoints: `fastml add-endpoint NAME`

MAX_ENDPOINT_LENGTH = 30
MAX_PATH_LENGTH = 60  # so the generated lines that quote it stay within the line length
# Python's soft keywords whatever Python runs fastml: `type` is one from 3.12 on, and the
# generated project may run on a newer Python than fastml.
SOFT_KEYWORDS = frozenset({"_", "case", "match", "type", *keyword.softkwlist})
# Names the generated project binds, so an endpoint's module cannot take them; and why.
_ENDPOINT_RESERVED = {
    "router": "the APIRouter that the endpoint's module defines",
    "app": "the project's package app",
    "tests": "the project's tests folder",
    "conftest": "pytest's conftest.py",
}
# Names a resource's router imports or defines; a resource's class may not take one.
_RESOURCE_RESERVED = frozenset(
    {"Annotated", "Any", "Depends", "HTTPException", "Query", "Repository", "Response", "Router"}
)
# The project serves these pages before any router that add-endpoint adds (FastAPI itself,
# or app/docs.py and app/routers/index.py): a route there is never reached.
_FASTAPI_PAGES = {
    "/": "its index (a redirect to /docs)",
    "/openapi.json": "the OpenAPI schema",
    "/docs": "the Swagger UI",
    "/docs/oauth2-redirect": "the Swagger UI's OAuth2 redirect",
    "/redoc": "ReDoc",
}
_DOCS_FILES = "/docs/static"  # and every path below: the docs pages' files


def _served_page(path: str) -> str | None:
    if path == _DOCS_FILES or path.startswith(_DOCS_FILES + "/"):
        return "the docs pages' files"
    return _FASTAPI_PAGES.get(path)


# The names each generated handler already uses: its arguments, and the names its body
# reads or binds.  A path parameter becomes an argument of the handler (FastAPI matches
# them by name), so it may be none of these.  "{C}" stands for the endpoint's class prefix,
# "{s}" for its singular.  tests/test_naming.py reads the rendered templates/endpoint/ to
# keep these in step with them.
_ROUTE_HANDLER_NAMES = {
    "GET": ("query", "len", "{C}Response"),
    "POST": ("body", "len", "{C}Response"),
    "PUT": ("body", "len", "{C}Response"),
    "PATCH": ("body", "len", "{C}Response"),
    "DELETE": (),
}
_RESOURCE_HANDLER_NAMES = (
    "{s}_id",
    "repository",
    "offset",
    "limit",
    "data",
    "patch",
    "response",
    "item",
    "error",
    "router",
    "_not_found",
    "_conflict",
    "Duplicate{C}Error",
)
# What the names that a user is likely to give are, in the handler.
_HANDLER_NAME_ROLES = {
    "{s}_id": "the resource's own path parameter {{s}_id}, of its routes to one item",
    "query": "the handler's argument query, its query parameters",
    "body": "the handler's argument body, the request body",
}
_ENDPOINT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_ -]*$")
_PATH_PATTERN = re.compile(r"^(/[A-Za-z0-9._~-]+|/\{[A-Za-z_][A-Za-z0-9_]*\})+$")
_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
        return tuple(_PATH_PARAM.findall(self.path))


def derive_endpoint_names(
    name: str,
    *,
    path: str | None = None,
    resource: bool = False,
    method: str | None = None,
) -> EndpointNames:
    """Check an endpoint name (and ``--path``) and derive the endpoint's other names.

    ``method`` is a route's HTTP method; None checks the path parameters against the
    handlers of every method.
    """
    given = name.strip()
    module = _endpoint_module(given)
    words = module.split("_")
    if resource:
        words[-1] = _singular(words[-1])
        if "".join(word.capitalize() for word in words) in _RESOURCE_RESERVED:
            raise InvalidNameError(
                f"Resource name {given!r} would clash with a name its router uses: "
                "choose another name."
            )
    singular = "_".join(words)
    class_prefix = "".join(word.capitalize() for word in words)
    path = _default_path(given, module) if path is None else _check_path(path)
    taken = _handler_names(singular, class_prefix, resource=resource, method=method)
    _check_path_params(path, taken)
    return EndpointNames(
        module=module,
        singular=singular,
        class_prefix=class_prefix,
        path=path,
        tag=module.replace("_", "-"),
        title=" ".join(module.split("_")).capitalize(),
        env_name=module.upper(),
    )


def _endpoint_module(given: str) -> str:
    """The module name of an endpoint name: "Batch Score" -> "batch_score"."""
    if not given:
        raise InvalidNameError("The endpoint name is empty: e.g. fastml add-endpoint score.")
    check_plain_text(given, "Endpoint name", InvalidNameError)
    module = re.sub(r"[\s-]+", "_", given).lower()
    if not _ENDPOINT_NAME.match(given) or not module.isidentifier():
        raise InvalidNameError(
            f"Endpoint name {given!r} does not make a Python module name: "
            "use letters, digits and underscores, starting with a letter."
        )
    if keyword.iskeyword(module) or module in SOFT_KEYWORDS:
        raise InvalidNameError(
            f"Endpoint name {given!r} is a reserved word of Python, which cannot name the "
            "endpoint's module: choose another name."
        )
    if module in _ENDPOINT_RESERVED:
        raise InvalidNameError(
            f"Endpoint name {given!r} would clash with {_ENDPOINT_RESERVED[module]}: "
            "choose another name."
        )
    if len(module) > MAX_ENDPOINT_LENGTH:
        raise InvalidNameError(
            f"Endpoint name {given!r} is too long: give at most {MAX_ENDPOINT_LENGTH} characters."
        )
    return module


def _check_path(path: str) -> str:
    path = path.strip()
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/")
    if len(path) > MAX_PATH_LENGTH:
        raise InvalidNameError(
            f"Path {path!r} is too long: give at most {MAX_PATH_LENGTH} characters."
        )
    page = _served_page(path)
    if page is not None:
        raise InvalidNameError(
            f"--path {path} is where the project serves {page}, so the route would never be "
            f"reached: give another --path, e.g. --path /v1{path.rstrip('/')}."
        )
    if not _PATH_PATTERN.match(path):
        raise InvalidNameError(
            f"Path {path!r} is not a URL path fastml can route: start with /, and use "
            "letters, digits, - . _ ~ and {parameters}, e.g. --path /v1/scores/{score_id}."
        )
    if any(segment in (".", "..") for segment in path.split("/")):
        # Clients and proxies resolve dot segments before a request leaves them (RFC 3986).
        raise InvalidNameError(
            f"--path {path} has a . or .. segment, which clients resolve away before they "
            "send a request, so the route would never be reached: give the path without it."
        )
    return path


def _default_path(given: str, module: str) -> str:
    """The path of an endpoint given no --path: its name, "/batch-score"."""
    path = "/" + module.replace("_", "-")
    page = _served_page(path)
    if page is not None:
        raise InvalidNameError(
            f"Endpoint {given!r} would be served at {path}, where the project serves {page}, so "
            "the route would never be reached: choose another name, with --path for a URL "
            f"of your own, e.g. fastml add-endpoint {module}_api --path /v1{path}."
        )
    return path


def _handler_names(
    singular: str, class_prefix: str, *, resource: bool, method: str | None
) -> dict[str, str]:
    """The names the endpoint's generated handlers use, each with what it is there."""
    if resource:
        templates: Collection[str] = _RESOURCE_HANDLER_NAMES
    elif method is None:
        templates = {name for names in _ROUTE_HANDLER_NAMES.values() for name in names}
    else:
        templates = _ROUTE_HANDLER_NAMES.get(method.upper(), ())
    return {
        _fill(template, singular, class_prefix): _fill(
            _HANDLER_NAME_ROLES.get(template, "a name the generated handler already uses"),
            singular,
            class_prefix,
        )
        for template in templates
    }


def _fill(template: str, singular: str, class_prefix: str) -> str:
    return template.replace("{C}", class_prefix).replace("{s}", singular)


def _check_path_params(path: str, taken: dict[str, str]) -> None:
    """Each path parameter must make a free argument name of the generated handler."""
    seen: set[str] = set()
    for param in _PATH_PARAM.findall(path):
        why = ""
        if param in seen:
            why = "appears twice in the path, and each needs a name of its own"
        elif _is_reserved_word(param):
            why = "is a reserved word of Python, which cannot name the handler's argument"
        elif param in taken:
            why = f"would clash with {taken[param]}"
        if why:
            instead = _free_param_name(param, {*seen, *taken})
            raise InvalidNameError(
                f"Path parameter {{{param}}} of --path {path} {why}: rename it, e.g. {{{instead}}}."
            )
        seen.add(param)


def _is_reserved_word(name: str) -> bool:
    return keyword.iskeyword(name) or name in SOFT_KEYWORDS or name == "__debug__"


def _free_param_name(param: str, taken: Collection[str]) -> str:
    """A name to suggest instead of ``param``: "class" -> "class_id", "id" -> "parent_id"."""
    stem = param.strip("_").lower() or "value"
    if stem == "id" or stem.endswith("_id"):
        candidates = [f"parent_{stem}", f"{stem}_2"]
    else:
        candidates = [f"{stem}_id", f"{stem}_key", f"{stem}_2"]
    free = (name for name in candidates if name not in taken and not _is_reserved_word(name))
    return next(free, f"{stem}_param")


def _singular(word: str) -> str:
    """'items' -> 'item', 'categories' -> 'category'; a name for one member of a resource."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word
