"""derive_names: the one place a display name becomes a folder, a distribution and a prefix."""

from __future__ import annotations

import ast
import builtins
import keyword
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from support import TOOLS, run, snapshot

from fastml_scaffold.commands.add_endpoint import add_endpoint
from fastml_scaffold.endpoints import EndpointSpec, Kind, render_files
from fastml_scaffold.errors import InvalidNameError
from fastml_scaffold.naming import (
    MAX_NAME_LENGTH,
    derive_endpoint_names,
    derive_names,
    project_dependencies,
)
from fastml_scaffold.templates import load_template, template_dir


def test_plain_name_gives_slug_env_prefix_and_package() -> None:
    names = derive_names("Iris Service")

    assert names.display_name == "Iris Service"
    assert names.slug == "iris-service"
    assert names.env_prefix == "IRIS_SERVICE_"
    assert names.package == "app"


def test_surrounding_whitespace_is_dropped_from_the_display_name() -> None:
    names = derive_names("  Iris Service \t")

    assert names.display_name == "Iris Service"
    assert names.slug == "iris-service"


@pytest.mark.parametrize(
    ("name", "slug", "env_prefix"),
    [
        ("Café Ünïcode", "cafe-unicode", "CAFE_UNICODE_"),
        ("Ærø straße", "aero-strasse", "AERO_STRASSE_"),
        ("Ünïcode—dash", "unicode-dash", "UNICODE_DASH_"),
    ],
)
def test_unicode_name_is_transliterated_to_an_ascii_slug(
    name: str, slug: str, env_prefix: str
) -> None:
    names = derive_names(name)

    assert names.display_name == name
    assert names.slug == slug
    assert names.env_prefix == env_prefix


def test_digits_after_the_first_letter_are_kept() -> None:
    names = derive_names("Model v2 API")

    assert names.slug == "model-v2-api"
    assert names.env_prefix == "MODEL_V2_API_"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("!!!", id="punctuation-only"),
        pytest.param("123 service", id="starts-with-digit"),
        pytest.param("{{ cookiecutter.x }}", id="jinja-expression"),
        pytest.param("{% if %}", id="jinja-statement"),
        pytest.param("{# note #}", id="jinja-comment"),
        pytest.param("a/b", id="slash"),
        pytest.param("a\\b", id="backslash"),
        pytest.param("Iris\nService", id="newline"),
        pytest.param("Iris\tService", id="tab"),
        pytest.param("a" * 200, id="200-chars"),
        pytest.param("a" + " b" * 40, id="long-display-name"),
        pytest.param('The "Best" Service', id="double-quote"),
        pytest.param("Iris\u2028Service", id="line-separator"),
        pytest.param("Iris\u2029Service", id="paragraph-separator"),
        pytest.param("Iris\x85Service", id="next-line"),
    ],
)
def test_unusable_name_is_rejected(name: str) -> None:
    with pytest.raises(InvalidNameError) as excinfo:
        derive_names(name)

    message = str(excinfo.value)
    assert message
    assert "\n" not in message  # the CLI prints it as one line


def test_slug_of_exactly_the_maximum_length_is_accepted() -> None:
    names = derive_names("a" * MAX_NAME_LENGTH)

    assert names.slug == "a" * MAX_NAME_LENGTH


def test_slug_one_longer_than_the_maximum_is_rejected() -> None:
    with pytest.raises(InvalidNameError, match="too long"):
        derive_names("a" * (MAX_NAME_LENGTH + 1))


def _cookiecutter_derivations(project_name: str, **answers: str) -> dict[str, Any]:
    """Render the project template's cookiecutter.json as plain Cookiecutter would."""
    context_file = template_dir("project") / "cookiecutter.json"
    context = generate_context(
        context_file=str(context_file), extra_context={"project_name": project_name, **answers}
    )
    return dict(prompt_for_config(context, no_input=True))


@pytest.mark.parametrize(
    "name",
    [
        "Iris Service",
        "Café Ünïcode",
        "Ærø straße",
        "Bob's Best (Iris) Service",
        "X_y.z 2",
        "Model v2 API",
        "  Spaced   Out  ",
        "日本 Service",
    ],
)
def test_template_jinja_derivations_agree_with_derive_names(name: str) -> None:
    names = derive_names(name)

    rendered = _cookiecutter_derivations(name)

    assert rendered["project_slug"] == names.slug
    assert rendered["env_prefix"] == names.env_prefix


MODEL_FILES = load_template("project").rules.model_files


@pytest.mark.parametrize("framework", sorted(MODEL_FILES))
def test_template_model_file_agrees_with_the_declared_model_files(framework: str) -> None:
    rendered = _cookiecutter_derivations("Iris Service", model_framework=framework)

    assert rendered["model_file"] == MODEL_FILES[framework]


def test_every_framework_choice_has_a_model_file() -> None:
    choices = _cookiecutter_derivations("Iris Service")

    assert set(MODEL_FILES) == set(load_template("project").questions["model_framework"].choices)
    assert choices["model_file"] == MODEL_FILES["sklearn"]


# Names that a generated project cannot be installed or unpacked under


# The project's own dependencies, as a user might type them: pip cannot install a project
# that requires a distribution of its own name.
DEPENDENCY_NAMES = [
    "FastAPI",
    "uvicorn",
    "Pydantic",
    "pydantic settings",
    "Pydantic_Settings",
    "NumPy",
    "scikit-learn",
    "Scikit Learn",
    "joblib",
    "onnxruntime",
    "torch",
    "httpx",
    "pytest",
    "pytest-randomly",
    "ruff",
    "mypy",
    "prometheus client",
    "skl2onnx",
]


@pytest.mark.parametrize("name", DEPENDENCY_NAMES)
def test_name_of_a_dependency_of_the_project_is_refused(name: str) -> None:
    with pytest.raises(InvalidNameError, match="depends on") as excinfo:
        derive_names(name)

    assert "choose another name" in str(excinfo.value)


def test_dependencies_are_read_from_the_template_of_every_framework_and_extra() -> None:
    dependencies = project_dependencies()

    expected = {"fastapi", "uvicorn", "pydantic-settings", "scikit-learn", "onnxruntime"}
    assert expected | {"torch", "prometheus-client", "skl2onnx", "pytest", "httpx2"} <= (
        dependencies
    )
    assert "readme-md" not in dependencies
    assert "app" not in dependencies


@pytest.mark.parametrize(
    "name", ["con", "CON", "Prn", "aux", "NUL", "com1", "COM9", "lpt1", "Lpt9", "Con."]
)
def test_name_that_windows_reserves_is_refused(name: str) -> None:
    with pytest.raises(InvalidNameError, match="Windows"):
        derive_names(name)


@pytest.mark.parametrize(
    "name", ["FastAPI Service", "Console", "com10", "Con Service", "Torch Bearer", "Iris"]
)
def test_name_near_a_dependency_or_a_device_is_accepted(name: str) -> None:
    assert derive_names(name).slug


# Endpoint names


@pytest.mark.parametrize("name", ["status", "Status", "http_status"])
def test_status_is_an_endpoint_name(name: str) -> None:
    assert derive_endpoint_names(name).path == f"/{name.lower().replace('_', '-')}"


@pytest.mark.parametrize("kind", ["GET", "POST", "PUT", "PATCH", "DELETE", "crud", "udp"])
def test_an_endpoint_named_status_compiles_and_passes_ruff(root: Path, kind: str) -> None:
    original = snapshot(root)
    options: dict[str, Any] = {"method": kind}
    if kind == "crud":
        options = {"crud": True}
    elif kind == "udp":
        options = {"udp": True, "port": 9999}

    add_endpoint("status", project=root, **options)

    changed = [
        path
        for path, data in snapshot(root).items()
        if path.endswith(".py") and original.get(path) != data
    ]
    for relative in changed:
        compile((root / relative).read_text(encoding="utf-8"), relative, "exec")
    run([TOOLS / "ruff", "check", "--no-cache", *changed], cwd=root)
    if kind not in ("crud", "udp"):
        tree = ast.parse((root / "app/routers/status.py").read_text(encoding="utf-8"))
        assert top_level_bindings(tree).count("status") == 1  # the handler, nothing else


def top_level_bindings(tree: ast.Module) -> list[str]:
    """Every name a module's top-level statements bind, once per binding."""
    names = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            names += [alias.asname or alias.name for alias in node.names]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [ast.unparse(target) for target in node.targets]
    return names


@pytest.mark.parametrize(
    ("name", "instead"),
    [
        ("class", "choose another name"),
        ("match", "choose another name"),
        ("type", "choose another name"),
        ("router", "choose another name"),
        ("app", "choose another name"),
    ],
)
def test_refused_endpoint_name_says_what_to_do(name: str, instead: str) -> None:
    with pytest.raises(InvalidNameError) as excinfo:
        derive_endpoint_names(name)

    assert instead in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


@pytest.mark.parametrize("name", ["score\u2028x", "score\u2029x"])
def test_endpoint_name_with_a_line_separator_is_refused(name: str) -> None:
    with pytest.raises(InvalidNameError, match="line breaks"):
        derive_endpoint_names(name)


# Paths that the project serves itself, or that a client never sends


@pytest.mark.parametrize(
    "path", ["/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect", "/docs/", " /redoc "]
)
@pytest.mark.parametrize("resource", [False, True])
def test_path_of_a_fastapi_page_is_refused(path: str, resource: bool) -> None:
    with pytest.raises(InvalidNameError, match="where the project serves") as excinfo:
        derive_endpoint_names("score", path=path, resource=resource)

    assert "give another --path" in str(excinfo.value)


@pytest.mark.parametrize("path", ["/", " / "])
@pytest.mark.parametrize("resource", [False, True])
def test_path_of_the_index_page_is_refused(path: str, resource: bool) -> None:
    with pytest.raises(InvalidNameError) as excinfo:
        derive_endpoint_names("score", path=path, resource=resource)

    assert "\n" not in str(excinfo.value)


@pytest.mark.parametrize(
    "path", ["/docs/static", "/docs/static/", "/docs/static/app.js", "/docs/static/js/app.js"]
)
@pytest.mark.parametrize("resource", [False, True])
def test_path_of_the_docs_pages_files_is_refused(path: str, resource: bool) -> None:
    with pytest.raises(InvalidNameError) as excinfo:
        derive_endpoint_names("score", path=path, resource=resource)

    assert str(excinfo.value) == (
        f"--path {path.rstrip('/')} is where the project serves the docs pages' files, so the "
        f"route would never be reached: give another --path, e.g. --path /v1{path.rstrip('/')}."
    )


@pytest.mark.parametrize("name", ["docs", "redoc"])
def test_name_that_would_be_served_at_a_fastapi_page_suggests_a_path(name: str) -> None:
    with pytest.raises(InvalidNameError) as excinfo:
        derive_endpoint_names(name)

    message = str(excinfo.value)
    assert f"served at /{name}, where the project serves" in message
    assert "choose another name, with --path for a URL of your own" in message
    assert f"e.g. fastml add-endpoint {name}_api --path /v1/{name}" in message


@pytest.mark.parametrize(
    "path", ["/docs/x", "/v1/docs", "/Docs", "/openapi", "/redoc2", "/docs/statics", "/v1"]
)
def test_path_near_a_fastapi_page_is_accepted(path: str) -> None:
    assert derive_endpoint_names("score", path=path).path == path


@pytest.mark.parametrize("path", ["/.", "/..", "/x/../y", "/x/./y", "/x/..", "/./{a}"])
def test_path_with_a_dot_segment_is_refused(path: str) -> None:
    with pytest.raises(InvalidNameError, match=r"a \. or \.\. segment"):
        derive_endpoint_names("score", path=path)


@pytest.mark.parametrize("path", ["/x/...", "/.well-known/x", "/v1.2/x", "/x/a..b"])
def test_path_with_dots_inside_a_segment_is_accepted(path: str) -> None:
    assert derive_endpoint_names("score", path=path).path == path


# Path parameters: each becomes an argument of the generated handler

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
RESERVED_WORDS = [*keyword.kwlist, "_", "case", "match", "type", "__debug__"]


@pytest.mark.parametrize("param", RESERVED_WORDS)
@pytest.mark.parametrize("method", [*METHODS, None])
def test_path_parameter_that_is_a_reserved_word_is_refused(param: str, method: str | None) -> None:
    with pytest.raises(InvalidNameError, match="reserved word") as excinfo:
        derive_endpoint_names("score", path=f"/x/{{{param}}}", method=method)

    message = str(excinfo.value)
    assert f"{{{param}}}" in message
    assert "rename it, e.g. {" in message


@pytest.mark.parametrize("param", ["class", "None", "match", "_"])
def test_path_parameter_that_is_a_reserved_word_is_refused_for_a_resource(param: str) -> None:
    with pytest.raises(InvalidNameError, match="reserved word"):
        derive_endpoint_names("items", path=f"/x/{{{param}}}", resource=True)


@pytest.mark.parametrize("resource", [False, True])
def test_repeated_path_parameter_is_refused(resource: bool) -> None:
    with pytest.raises(InvalidNameError, match="twice") as excinfo:
        derive_endpoint_names("score", path="/{id}/x/{id}", resource=resource)

    assert "{parent_id}" in str(excinfo.value)


@pytest.mark.parametrize(
    ("method", "param"),
    [("POST", "body"), ("PUT", "body"), ("PATCH", "body"), ("GET", "query"), (None, "body")],
)
def test_path_parameter_that_is_an_argument_of_the_handler_is_refused(
    method: str | None, param: str
) -> None:
    with pytest.raises(InvalidNameError, match=f"the handler's argument {param}") as excinfo:
        derive_endpoint_names("score", path=f"/x/{{{param}}}", method=method)

    assert f"e.g. {{{param}_id}}" in str(excinfo.value)


@pytest.mark.parametrize(
    ("method", "param"),
    [("GET", "body"), ("DELETE", "body"), ("DELETE", "query"), ("POST", "query"), ("GET", "id")],
)
def test_path_parameter_free_in_the_handler_of_its_method_is_accepted(
    method: str, param: str
) -> None:
    names = derive_endpoint_names("score", path=f"/x/{{{param}}}", method=method)

    assert names.path_params == (param,)


def test_path_parameter_of_a_resource_that_is_its_own_id_is_refused() -> None:
    with pytest.raises(InvalidNameError, match=r"own path parameter \{item_id\}") as excinfo:
        derive_endpoint_names("items", path="/x/{item_id}", resource=True)

    assert "{parent_item_id}" in str(excinfo.value)


@pytest.mark.parametrize("param", ["repository", "offset", "limit", "data", "response", "patch"])
def test_path_parameter_that_is_an_argument_of_a_resource_handler_is_refused(param: str) -> None:
    with pytest.raises(InvalidNameError, match=f"{{{param}}}"):
        derive_endpoint_names("items", path=f"/x/{{{param}}}", resource=True)


def test_refused_path_parameter_leaves_the_project_untouched(root: Path) -> None:
    before = snapshot(root)

    with pytest.raises(InvalidNameError, match="reserved word"):
        add_endpoint("score", path="/x/{class}", project=root)

    assert snapshot(root) == before


# Every (kind, method) of endpoint: the ones that have handlers with path parameters.
HANDLER_KINDS: list[tuple[Kind, str | None]] = [
    *(("route", method) for method in METHODS),
    ("resource", None),
]


def handlers(router: str) -> list[ast.AsyncFunctionDef]:
    return [node for node in ast.parse(router).body if isinstance(node, ast.AsyncFunctionDef)]


def arguments(handler: ast.AsyncFunctionDef) -> set[str]:
    args = handler.args
    return {arg.arg for arg in args.posonlyargs + args.args + args.kwonlyargs}


def body_names(handler: ast.AsyncFunctionDef) -> set[str]:
    return {n.id for s in handler.body for n in ast.walk(s) if isinstance(n, ast.Name)}


def handler_names(router: str, params: tuple[str, ...]) -> set[str]:
    """The names the router's handlers take as arguments or use in their bodies."""
    names = set().union(*(arguments(h) | body_names(h) for h in handlers(router)))
    return names - set(params)


def router_of(kind: Kind, method: str | None, name: str, path: str) -> str:
    spec = EndpointSpec(name=name, kind=kind, method=method, path=path)
    files = render_files(spec, "IRIS_SERVICE_", 100)
    return files[Path(f"app/routers/{spec.names.module}.py")]


@pytest.mark.parametrize(("kind", "method"), HANDLER_KINDS)
@pytest.mark.parametrize("name", ["score", "items", "batch categories"])
def test_every_name_a_generated_handler_uses_is_refused_as_a_path_parameter(
    kind: Kind, method: str | None, name: str
) -> None:
    """The table in naming.py is in step with templates/endpoint/."""
    used = handler_names(router_of(kind, method, name, "/x/{free}"), ("free",))

    for param in used:
        with pytest.raises(InvalidNameError):
            derive_endpoint_names(
                name, path=f"/x/{{{param}}}", resource=kind == "resource", method=method
            )


# Names a user may well give to a path parameter: keywords, builtins, the handlers' names.
CANDIDATE_PARAMS = sorted(
    {
        *RESERVED_WORDS,
        *(name for name in dir(builtins) if name.islower() and not name.startswith("__")),
        *("query", "body", "data", "item", "item_id", "score_id", "id", "repository"),
        *("offset", "limit", "patch", "response", "error", "router", "status", "request"),
    }
)


@pytest.mark.parametrize(("kind", "method"), HANDLER_KINDS)
def test_an_accepted_path_parameter_gives_a_router_that_compiles(
    kind: Kind, method: str | None
) -> None:
    for param in CANDIDATE_PARAMS:
        path = f"/v1/{{{param}}}/{{other}}"
        resource = kind == "resource"
        try:
            derive_endpoint_names("items", path=path, resource=resource, method=method)
            router = router_of(kind, method, "items", path)
        except InvalidNameError:
            continue  # refused: fine
        compile(router, f"{param}.py", "exec", dont_inherit=True)  # no duplicate argument
        for handler in handlers(router):  # an argument of that name would shadow it
            assert param not in body_names(handler), param
