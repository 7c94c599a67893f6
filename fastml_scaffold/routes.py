"""The routes a project already serves, read from its source without importing it.

fastml runs in its own environment, not the project's, so it cannot import the app; the
routers are plain enough (``APIRouter(prefix=...)`` and ``@router.get("/path")``) to read.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

METHODS = ("get", "post", "put", "patch", "delete")
Route = tuple[str, str]  # ("GET", "/items/{}")


def normalise(method: str, path: str) -> Route:
    """Compare routes by method and shape: ``/items/{item_id}`` is ``/items/{}``."""
    shape = re.sub(r"\{[^}]*\}", "{}", path)
    if len(shape) > 1:
        shape = shape.rstrip("/")
    return (method.upper(), shape or "/")


def project_routes(app_dir: Path, *, skip: frozenset[Path] = frozenset()) -> dict[Route, Path]:
    """Every route declared under ``app_dir``, with the module that declares it."""
    routes: dict[Route, Path] = {}
    for module in sorted(app_dir.rglob("*.py")):
        if module in skip:
            continue
        try:
            tree = ast.parse(module.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue  # a module that does not parse declares nothing we can see
        for route in _module_routes(tree):
            routes.setdefault(route, module)
    return routes


def _module_routes(tree: ast.Module) -> list[Route]:
    prefixes = _router_prefixes(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            route = _decorator_route(decorator, prefixes)
            if route is not None:
                found.append(route)
    return found


def _router_prefixes(tree: ast.Module) -> dict[str, str]:
    """``{"router": "/items"}`` for ``router = APIRouter(prefix="/items")``."""
    prefixes = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        if ast.unparse(node.value.func).split(".")[-1] not in ("APIRouter", "FastAPI"):
            continue
        prefix = next(
            (
                kw.value.value
                for kw in node.value.keywords
                if kw.arg == "prefix" and isinstance(kw.value, ast.Constant)
            ),
            "",
        )
        for target in node.targets:
            if isinstance(target, ast.Name):
                prefixes[target.id] = str(prefix)
    return prefixes


def _decorator_route(decorator: ast.expr, prefixes: dict[str, str]) -> Route | None:
    if not (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in METHODS
        and isinstance(decorator.func.value, ast.Name)
        and decorator.args
        and isinstance(decorator.args[0], ast.Constant)
    ):
        return None
    prefix = prefixes.get(decorator.func.value.id, "")
    return normalise(decorator.func.attr, prefix + str(decorator.args[0].value))
