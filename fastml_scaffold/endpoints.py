"""What one endpoint is made of: its files, and its lines in the app's registries.

``add-endpoint`` and ``remove-endpoint`` share this: one renders and inserts, the other
renders the same files to recognise them, and takes the same lines out.
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from fastml_scaffold import pyedit
from fastml_scaffold.errors import FastmlError
from fastml_scaffold.naming import EndpointNames, derive_endpoint_names
from fastml_scaffold.templates import template_dir

Kind = Literal["route", "resource", "listener"]
MAIN = Path("app/main.py")
STATUS_NAMES = {200: "HTTP_200_OK", 201: "HTTP_201_CREATED", 204: "HTTP_204_NO_CONTENT"}
DEFAULT_STATUS = {"POST": 201, "DELETE": 204}  # create, and delete without a body
PACKAGE_DOCS = {
    "app/repositories": "Stores behind the REST resources; one module per resource.",
    "app/listeners": "Background listeners that the app's lifespan starts and stops.",
}


class AnchorNotFoundError(FastmlError):
    """The registry in app/main.py is not where fastml can find it; says what to add."""


@dataclass(frozen=True)
class EndpointSpec:
    """How an endpoint was asked for; saved in .fastml.json so it can be made again."""

    name: str
    kind: Kind
    method: str | None = None
    path: str | None = None
    port: int | None = None

    @property
    def names(self) -> EndpointNames:
        return derive_endpoint_names(self.name, path=self.path, resource=self.kind == "resource")

    @property
    def status_code(self) -> int:
        return DEFAULT_STATUS.get(self.method or "", 200)

    def record(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> EndpointSpec:
        return cls(**record)


# --- files -------------------------------------------------------------------------------


def render_files(spec: EndpointSpec, env_prefix: str, line_length: int) -> dict[Path, str]:
    """The files of the endpoint, by path relative to the project root."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(template_dir("endpoint")),
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        autoescape=False,  # renders Python source, not HTML
    )
    names = spec.names
    context = _context(spec, names, env_prefix, line_length)

    def render(template: str) -> str:
        return environment.get_template(template).render(context)

    test_file = Path(f"tests/test_{names.module}.py")
    if spec.kind == "route":
        return {
            Path(f"app/routers/{names.module}.py"): render("route.py.j2"),
            test_file: render("test_route.py.j2"),
        }
    if spec.kind == "resource":
        return {
            Path(f"app/repositories/{names.module}.py"): render("repository.py.j2"),
            Path(f"app/routers/{names.module}.py"): render("resource.py.j2"),
            test_file: render("test_resource.py.j2"),
        }
    return {
        Path(f"app/listeners/{names.module}.py"): render("listener.py.j2"),
        test_file: render("test_listener.py.j2"),
    }


def package_inits(files: dict[Path, str]) -> dict[Path, str]:
    """The ``__init__.py`` of each new package the files go into (repositories, listeners)."""
    inits = {}
    for path in files:
        folder = path.parent.as_posix()
        if folder in PACKAGE_DOCS:
            inits[Path(folder) / "__init__.py"] = f'"""{PACKAGE_DOCS[folder]}"""\n'
    return inits


def _context(
    spec: EndpointSpec, names: EndpointNames, env_prefix: str, line_length: int
) -> dict[str, Any]:
    method = (spec.method or "POST").lower()
    singular = names.singular
    repository = f"app.repositories.{names.module}"
    c = names.class_prefix
    return {
        "n": names,
        "C": c,
        "METHOD": method.upper(),
        "method": method,
        "status_code": spec.status_code,
        "status_name": STATUS_NAMES[spec.status_code],
        "has_schemas": method != "delete",
        "has_query": method == "get",
        "example_path": re.sub(r"\{[^}]*\}", "example", names.path),
        "env_prefix": env_prefix,
        "port": spec.port,
        "repository_import": _import_block(
            repository,
            [
                f"Duplicate{c}Error",
                c,
                f"{c}In",
                f"{c}Patch",
                f"{c}Repository",
                f"get_{singular}_repository",
            ],
            line_length,
        ),
        "test_import": _import_block(
            repository, [f"InMemory{c}Repository", f"get_{singular}_repository"], line_length
        ),
    }


def _import_block(module: str, names: list[str], line_length: int) -> str:
    """A ``from module import ...`` as ruff's isort writes it (template text is not linted)."""
    return pyedit.render_from_import(module, names, line_length, magic_comma=False)


# --- the registry in app/main.py ---------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """The two edits that wire an endpoint into app/main.py, and how to spot them."""

    module: str  # "app.routers" or "app.listeners"
    name: str  # the endpoint's module, imported from ``module``
    statement: str  # "app.include_router(score.router)"
    method: str  # the call the statement makes: "include_router"
    argument: str  # its first argument: "score.router"

    def present(self, node: ast.stmt) -> bool:
        return pyedit.first_argument_is(pyedit.method_call(node, self.method), self.argument)

    def manual_lines(self) -> list[str]:
        return [f"from {self.module} import {self.name}", self.statement]


def registration(spec: EndpointSpec) -> Registration:
    module = spec.names.module
    if spec.kind == "listener":
        return Registration(
            "app.listeners",
            module,
            f"await services.enter_async_context({module}.serve())",
            "enter_async_context",
            f"{module}.serve()",
        )
    return Registration(
        "app.routers",
        module,
        f"app.include_router({module}.router)",
        "include_router",
        f"{module}.router",
    )


def register(text: str, reg: Registration, line_length: int) -> str:
    """app/main.py with ``reg`` wired in; unchanged if it already is."""
    try:
        text = pyedit.add_from_import(text, reg.module, reg.name, line_length=line_length)
        anchor = _services_yield if reg.method == "enter_async_context" else _last_include
        return pyedit.add_statement(
            text, _statement_for(text, reg), present=reg.present, anchor=anchor
        )
    except (pyedit.AnchorNotFound, SyntaxError) as exc:
        lines = "; ".join(reg.manual_lines())
        raise AnchorNotFoundError(
            f"Cannot find where to register {reg.name} in {MAIN} ({exc}): "
            f"add these lines by hand, then run the command again: {lines}"
        ) from None


def unregister(text: str, reg: Registration, line_length: int) -> str:
    """app/main.py without ``reg``'s lines (the undo of ``register``)."""
    text = pyedit.remove_statements(text, matches=reg.present)
    return pyedit.remove_from_import(text, reg.module, reg.name, line_length=line_length)


def _statement_for(text: str, reg: Registration) -> str:
    """The statement, with the receiver the file really uses (``app``, ``services``)."""
    if reg.method != "include_router":
        stack = _services_with(ast.parse(text))
        return reg.statement.replace("services.", f"{_stack_name(stack)}.", 1)
    receiver = ast.unparse(_include_calls(ast.parse(text))[-1][1].func.value)  # type: ignore[attr-defined]
    return f"{receiver}.include_router({reg.argument})"


def _include_calls(tree: ast.Module) -> list[tuple[ast.stmt, ast.Call]]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            call = pyedit.method_call(node, "include_router")
            if call is not None:
                calls.append((node, call))
    if not calls:
        raise pyedit.AnchorNotFound("no app.include_router(...) call")
    return sorted(calls, key=lambda pair: pair[0].lineno)


def _last_include(tree: ast.Module) -> tuple[ast.stmt, bool]:
    return _include_calls(tree)[-1][0], True


def _services_with(tree: ast.Module) -> ast.AsyncWith:
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncWith) and any(
            isinstance(item.context_expr, ast.Call)
            and ast.unparse(item.context_expr.func).endswith("AsyncExitStack")
            and isinstance(item.optional_vars, ast.Name)
            for item in node.items
        ):
            return node
    raise pyedit.AnchorNotFound("no `async with AsyncExitStack() as services:` in the lifespan")


def _stack_name(node: ast.AsyncWith) -> str:
    for item in node.items:
        if isinstance(item.optional_vars, ast.Name):
            return item.optional_vars.id
    raise pyedit.AnchorNotFound("the AsyncExitStack has no name")


def _services_yield(tree: ast.Module) -> tuple[ast.stmt, bool]:
    """New services start just before the ``yield`` inside the services' exit stack."""
    block = _services_with(tree)
    for statement in block.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Yield):
            return statement, False
    raise pyedit.AnchorNotFound("no `yield` inside the services' AsyncExitStack")
