"""What one endpoint is made of: its files, and its lines in the app's registries.

``add-endpoint`` and ``remove-endpoint`` share this: one renders and inserts, the other
renders the same files to recognise them, and takes the same lines out.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from fastml_scaffold import pyedit
from fastml_scaffold.errors import FastmlError
from fastml_scaffold.naming import EndpointNames, derive_endpoint_names
from fastml_scaffold.project import Project, line_length
from fastml_scaffold.templates import template_dir

Kind = Literal["route", "resource", "listener"]
MAIN = Path("app/main.py")
STATUS_NAMES = {200: "HTTP_200_OK", 201: "HTTP_201_CREATED", 204: "HTTP_204_NO_CONTENT"}
DEFAULT_STATUS = {"POST": 201, "DELETE": 204}  # create, and delete without a body
Route = tuple[str, str]  # ("GET", "/items/{item_id}")


@dataclass(frozen=True)
class EndpointKind:
    """One kind of endpoint, all in one place: the option that asks for it, its files (path
    pattern -> template in templates/endpoint), the registry it joins in app/main.py, and the
    HTTP routes it serves.  Adding a kind is adding a record to ``KINDS`` and its templates."""

    name: Kind
    option: str  # the add-endpoint option that asks for it; "" for the default kind
    files: dict[str, str]  # "{module}" in a path is the endpoint's module name
    registry: Literal["routers", "services"]
    package: str  # where the module that app/main.py imports lives
    routes: Callable[[str, str], list[Route]]  # (method, path) -> what it serves
    packages: dict[str, str] = field(default_factory=dict)  # folder -> its __init__ docstring

    @property
    def http(self) -> bool:
        return self.registry == "routers"


def _item_routes(method: str, path: str) -> list[Route]:
    """A REST resource: the collection, and one member by its id."""
    item = f"{path}/{{id}}"
    return [("GET", path), ("POST", path), *((m, item) for m in ("GET", "PUT", "PATCH", "DELETE"))]


KINDS: dict[Kind, EndpointKind] = {
    "route": EndpointKind(
        "route",
        option="",
        files={
            "app/routers/{module}.py": "route.py.j2",
            "tests/test_{module}.py": "test_route.py.j2",
        },
        registry="routers",
        package="app.routers",
        routes=lambda method, path: [(method, path)],
    ),
    "resource": EndpointKind(
        "resource",
        option="--crud",
        files={
            "app/repositories/{module}.py": "repository.py.j2",
            "app/routers/{module}.py": "resource.py.j2",
            "tests/test_{module}.py": "test_resource.py.j2",
        },
        registry="routers",
        package="app.routers",
        routes=_item_routes,
        packages={"app/repositories": "Stores behind the REST resources; one module per resource."},
    ),
    "listener": EndpointKind(
        "listener",
        option="--udp",
        files={
            "app/listeners/{module}.py": "listener.py.j2",
            "tests/test_{module}.py": "test_listener.py.j2",
        },
        registry="services",
        package="app.listeners",
        routes=lambda method, path: [],
        packages={
            "app/listeners": "Background listeners that the app's lifespan starts and stops."
        },
    ),
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
        return derive_endpoint_names(
            self.name, path=self.path, resource=self.kind == "resource", method=self.method
        )

    @property
    def kind_record(self) -> EndpointKind:
        return KINDS[self.kind]

    def routes(self) -> list[Route]:
        """The method and path of every route it serves (none for a listener)."""
        return self.kind_record.routes(self.method or "POST", self.names.path)

    @property
    def status_code(self) -> int:
        return DEFAULT_STATUS.get(self.method or "", 200)

    def record(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> EndpointSpec:
        return cls(**record)


# --- files -------------------------------------------------------------------------------


def render_files(
    spec: EndpointSpec,
    env_prefix: str,
    line_length: int,
    *,
    auth: bool = False,
    templates: Path | None = None,
) -> dict[Path, str]:
    """The files of the endpoint, by path relative to the project root; with ``auth`` (the
    project's ``auth=api_key``), its router asks for an API key.  ``templates`` is the
    endpoint template folder of a released version (fastml update); by default, the live one.

    The context below is the contract with every released version's templates: a key
    that an older template uses stays, even when the newest no longer needs it.
    """
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(templates or template_dir("endpoint")),
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        autoescape=False,  # renders Python source, not HTML
    )
    names = spec.names
    context = {**_context(spec, names, env_prefix, line_length), "auth": auth}

    def render(template: str) -> str:
        return environment.get_template(template).render(context)

    return {
        Path(pattern.format(module=names.module)): render(template)
        for pattern, template in spec.kind_record.files.items()
    }


def package_inits(spec: EndpointSpec) -> dict[Path, str]:
    """The ``__init__.py`` of each package the endpoint's files go into that fastml makes
    with the first endpoint of its kind (``app/repositories``, ``app/listeners``)."""
    return {
        Path(folder) / "__init__.py": f'"""{doc}"""\n'
        for folder, doc in spec.kind_record.packages.items()
    }


def missing_inits(root: Path, spec: EndpointSpec) -> dict[Path, str]:
    """The package ``__init__.py`` files the endpoint needs that the project lacks."""
    return {path: text for path, text in package_inits(spec).items() if not (root / path).exists()}


def recorded_endpoints(project: Project) -> list[EndpointSpec]:
    """The endpoints in the project's record, in the order add-endpoint added them."""
    specs = [EndpointSpec.from_record(entry) for entry in project.endpoints.values()]
    try:
        return in_added_order(specs, project.read(MAIN))
    except FastmlError:  # no app/main.py left: any order will do
        return specs


def in_added_order(specs: list[EndpointSpec], main_text: str) -> list[EndpointSpec]:
    """The endpoints in the order they were added, as app/main.py registers them (the
    record keeps them by name; each new one is registered after the others); those it does
    not register come last.  Rendered in this order, a project's registries match its own."""
    try:
        statements = [node for node in ast.walk(ast.parse(main_text)) if isinstance(node, ast.stmt)]
    except SyntaxError:
        return specs

    def first_line(spec: EndpointSpec) -> float:
        present = registration(spec).present
        return min((node.lineno for node in statements if present(node)), default=float("inf"))

    return sorted(specs, key=first_line)


def shadows(root: Path, spec: EndpointSpec, main: ast.Module) -> str:
    """What the endpoint's module name would shadow in the project at ``root``: a module of
    ``app/`` of that name, or a name that app/main.py (parsed: ``main``) binds other than by
    importing this endpoint; "" when nothing."""
    module = spec.names.module
    if (root / "app" / f"{module}.py").exists() or (root / "app" / module).is_dir():
        return f"the project's module app.{module}"
    package = registration(spec).module
    imported = {
        alias.asname or alias.name
        for node in main.body
        if isinstance(node, ast.ImportFrom) and node.module == package
        for alias in node.names
    }
    if module in pyedit.registry_names(main) and module not in imported:
        return f"{module!r} in {MAIN}"
    if module in dir(builtins) and any(  # an endpoint an older fastml let take the name
        isinstance(node, ast.Name) and node.id == module for node in ast.walk(main)
    ):
        return f"Python's built-in {module}() in {MAIN}"
    return ""


def add_to_rendering(
    root: Path,
    spec: EndpointSpec,
    *,
    env_prefix: str,
    auth: bool,
    version: str,
    templates: Path,
    check: bool = True,
) -> None:
    """Add the endpoint to a project just rendered from template ``version`` (its folder:
    ``templates``) as add-endpoint adds it: its files, its packages, its lines in
    app/main.py.  fastml update merges against such renderings.  An endpoint made by an
    older fastml may take a name that this version's template now uses itself: that stops
    the update, rather than one silently replacing the other.  Without ``check`` (the
    version the project was made with, where the endpoint was accepted), no such test."""
    width = line_length(root)
    files = render_files(spec, env_prefix, width, auth=auth, templates=templates / "endpoint")
    main = root / MAIN
    main_text = main.read_text(encoding="utf-8")
    taken = [path.as_posix() for path in files if (root / path).exists()] if check else []
    shadowed = shadows(root, spec, ast.parse(main_text)) if check else ""
    if taken or shadowed:
        why = f"it has {', '.join(taken)} too" if taken else f"the name would shadow {shadowed}"
        raise FastmlError(
            f"The endpoint {spec.name!r} that add-endpoint made clashes with template "
            f"{version} ({why}): remove it (fastml remove-endpoint {spec.names.module}), add "
            "it again under another name (--path keeps its URL) with your code, commit, "
            "then update."
        )
    for path, text in {**missing_inits(root, spec), **files}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    main.write_text(register(main_text, registration(spec), width), encoding="utf-8")


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
    """The lines that wire the endpoint in: a router joins the app, a service its lifespan."""
    module, package = spec.names.module, spec.kind_record.package
    if spec.kind_record.registry == "services":
        statement = f"await services.enter_async_context({module}.serve())"
        return Registration(package, module, statement, "enter_async_context", f"{module}.serve()")
    statement = f"app.include_router({module}.router)"
    return Registration(package, module, statement, "include_router", f"{module}.router")


def register(text: str, reg: Registration, line_length: int) -> str:
    """app/main.py with ``reg`` wired in; unchanged if it already is.

    The statement goes where the app factory registers things: a router after the last
    ``app.include_router(...)`` of the function that makes the app (``create_app``; the
    module itself in older projects), a service before the ``yield`` of the
    ``AsyncExitStack`` in that app's lifespan.
    """
    try:
        text = pyedit.add_from_import(text, reg.module, reg.name, line_length=line_length)
        if _registered(text, reg):  # perhaps by hand, where fastml would not put it
            return text
        return pyedit.add_statement(
            text,
            _statement_for(ast.parse(text), reg),
            present=reg.present,
            anchor=lambda tree: _anchor(tree, reg),
        )
    except (pyedit.AnchorNotFound, SyntaxError) as exc:
        raise AnchorNotFoundError(
            f"Cannot find where to register {reg.name} in {MAIN} ({_why(exc)}): "
            f"add these lines by hand, then run the command again: {_joined(reg)}"
        ) from None


def unregister(text: str, reg: Registration, line_length: int) -> str:
    """app/main.py without ``reg``'s lines (the undo of ``register``)."""
    try:
        text = pyedit.remove_statements(text, matches=reg.present)
        return pyedit.remove_from_import(text, reg.module, reg.name, line_length=line_length)
    except (pyedit.AnchorNotFound, SyntaxError) as exc:
        raise AnchorNotFoundError(
            f"Cannot take {reg.name} out of {MAIN} ({_why(exc)}): "
            f"remove these lines by hand, then run the command again: {_joined(reg)}"
        ) from None


def _why(exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        return f"it does not parse: {exc.msg}, line {exc.lineno}"
    return str(exc)


def _joined(reg: Registration) -> str:
    return "; ".join(reg.manual_lines())


def _registered(text: str, reg: Registration) -> bool:
    tree = ast.parse(text)
    return any(reg.present(node) for node in ast.walk(tree) if isinstance(node, ast.stmt))


def _statement_for(tree: ast.Module, reg: Registration) -> str:
    """The statement, with the names the file really uses (``app``, ``services``)."""
    if reg.method == "include_router":
        return f"{_factory(tree).app}.include_router({reg.argument})"
    stack = _stack_name(_services_with(tree))
    return reg.statement.replace("services.", f"{stack}.", 1)


def _anchor(tree: ast.Module, reg: Registration) -> tuple[ast.stmt, bool]:
    return _last_include(tree) if reg.method == "include_router" else _services_yield(tree)


@dataclass(frozen=True)
class _Factory:
    """Where the app is made: ``app = FastAPI(...)`` in a function's body or the module's."""

    where: str  # for messages: "create_app()", "module level"
    body: list[ast.stmt]
    app: str  # the name the app is bound to
    call: ast.Call  # the FastAPI(...) call


def _factory(tree: ast.Module) -> _Factory:
    scopes = [("module level", tree.body)] + [
        (f"{node.name}()", node.body)
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    found = [factory for where, body in scopes for factory in _apps_made(where, body)]
    if not found:
        raise pyedit.AnchorNotFound("no `app = FastAPI(...)` in a function or at module level")
    if len(found) > 1:
        places = ", ".join(factory.where for factory in found)
        raise pyedit.AnchorNotFound(f"FastAPI(...) makes an app in several places: {places}")
    return found[0]


def _apps_made(where: str, body: list[ast.stmt]) -> list[_Factory]:
    """The ``name = FastAPI(...)`` statements of ``body``."""
    made = []
    for node in body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if (
            isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func).split(".")[-1] == "FastAPI"
            and len(targets) == 1
            and isinstance(targets[0], ast.Name)
        ):
            made.append(_Factory(where, body, targets[0].id, node.value))
    return made


def _last_include(tree: ast.Module) -> tuple[ast.stmt, bool]:
    """New routers go after the factory's last ``app.include_router(...)``: they match last.

    Only the factory's own statements count: not an include in a helper function, nor one
    inside an ``if`` (the new router would be included only when that holds).
    """
    factory = _factory(tree)
    includes = [node for node in factory.body if _includes_into(node, factory.app)]
    if not includes:
        raise pyedit.AnchorNotFound(f"no `{factory.app}.include_router(...)` in {factory.where}")
    return includes[-1], True


def _includes_into(node: ast.stmt, app: str) -> bool:
    call = pyedit.method_call(node, "include_router")
    return call is not None and ast.unparse(call.func) == f"{app}.include_router"


def _lifespan(tree: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef:
    """The function the factory gives to ``FastAPI(lifespan=...)``."""
    factory = _factory(tree)
    given = next((kw.value for kw in factory.call.keywords if kw.arg == "lifespan"), None)
    if not isinstance(given, ast.Name):
        raise pyedit.AnchorNotFound(f"no `FastAPI(lifespan=...)` function in {factory.where}")
    for node in [*factory.body, *tree.body]:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == given.id:
            return node
    raise pyedit.AnchorNotFound(f"no function {given.id}, the app's lifespan")


def _services_with(tree: ast.Module) -> ast.AsyncWith:
    lifespan = _lifespan(tree)
    for node in _own_nodes(lifespan):
        if isinstance(node, ast.AsyncWith) and _stack_name(node):
            return node
    raise pyedit.AnchorNotFound(
        f"no `async with AsyncExitStack() as services:` in the lifespan, {lifespan.name}()"
    )


def _own_nodes(node: ast.AST) -> list[ast.AST]:
    """The nodes inside ``node``, in order; not those of the functions and classes it defines."""
    found = []
    for child in ast.iter_child_nodes(node):
        found.append(child)
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            found += _own_nodes(child)
    return found


def _stack_name(node: ast.AsyncWith) -> str:
    """``services`` in ``async with AsyncExitStack() as services``; empty if not such a with."""
    for item in node.items:
        if (
            isinstance(item.context_expr, ast.Call)
            and ast.unparse(item.context_expr.func).split(".")[-1] == "AsyncExitStack"
            and isinstance(item.optional_vars, ast.Name)
        ):
            return item.optional_vars.id
    return ""


def _services_yield(tree: ast.Module) -> tuple[ast.stmt, bool]:
    """New services start just before the ``yield`` inside the services' exit stack."""
    block = _services_with(tree)
    for statement in block.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Yield):
            return statement, False
    raise pyedit.AnchorNotFound("no `yield` inside the services' AsyncExitStack")
