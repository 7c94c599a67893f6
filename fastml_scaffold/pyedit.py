"""Edits of Python source that survive reformatting: found with ``ast``, made on lines.

Each edit is idempotent (an edit already made returns the source unchanged) and is
anchored on real code (an import, a call, a ``yield``), never on a magic comment, so a
file reformatted by ``ruff format`` or extended by hand still takes it.  Imports are
written as ``ruff``'s isort would write them, so the project's lint stays clean.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable


class AnchorNotFound(Exception):
    """The code an edit is anchored on is not in the source."""


# --- imports ---------------------------------------------------------------------------


def add_from_import(text: str, module: str, name: str, *, line_length: int) -> str:
    """Import ``name`` from ``module``: into its existing statement, or a new one in order."""
    text = _with_final_newline(text)
    tree = ast.parse(text)
    statement = _from_import(tree, module)
    if statement is not None:
        names = [_alias_text(alias) for alias in statement.names]
        if name in names:
            return text
        rendered = render_from_import(
            module, [*names, name], line_length, _has_magic_comma(text, statement)
        )
        rendered = _keep_trailing_comment(text, statement, rendered)
        return _replace_lines(text, statement.lineno, statement.end_lineno, rendered)
    anchor = _import_to_follow(tree, module)
    if anchor is None:
        raise AnchorNotFound(f"no `from {module.split('.')[0]} ... import` statement")
    rendered = render_from_import(module, [name], line_length, magic_comma=False)
    lines = text.splitlines(keepends=True)
    at = anchor.end_lineno if _sort_key(anchor) < _module_key(module) else anchor.lineno - 1
    return "".join([*lines[: at or 0], rendered, *lines[at or 0 :]])


def remove_from_import(text: str, module: str, name: str, *, line_length: int) -> str:
    """Undo ``add_from_import``: drop ``name``, and the statement once it imports nothing."""
    tree = ast.parse(text)
    statement = _from_import(tree, module)
    if statement is None:
        return text
    names = [_alias_text(alias) for alias in statement.names]
    if name not in names:
        return text
    names.remove(name)
    # Back on one line when it fits: the exact undo of an add that had to wrap it.
    rendered = render_from_import(module, names, line_length, magic_comma=False) if names else ""
    if rendered:
        rendered = _keep_trailing_comment(text, statement, rendered)
    return _replace_lines(text, statement.lineno, statement.end_lineno, rendered)


def _from_import(tree: ast.Module, module: str) -> ast.ImportFrom | None:
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0:
            return node
    return None


def _import_to_follow(tree: ast.Module, module: str) -> ast.ImportFrom | None:
    """The first-party import the new statement goes after (or, if first, before)."""
    package = module.split(".")[0]
    siblings = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module is not None
        and node.module.split(".")[0] == package
    ]
    if not siblings:
        return None
    before = [node for node in siblings if _sort_key(node) < _module_key(module)]
    return before[-1] if before else siblings[0]


def _sort_key(node: ast.ImportFrom) -> tuple[str, ...]:
    return _module_key(node.module or "")


def _module_key(module: str) -> tuple[str, ...]:
    return tuple(part.lower() for part in module.split("."))


def _alias_text(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name


def _name_key(name: str) -> tuple[int, list[tuple[int, int | str]], str]:
    """The order ruff's isort gives imported names: CONSTANTS, then Classes, then the rest;
    within each, natural order ("v2" before "v10"), case-insensitive, uppercase first on a tie.
    """
    bare = name.split(" as ")[0]
    letters = bare.strip("_")
    if letters.isupper() and len(letters) > 1:
        group = 0
    elif letters[:1].isupper():
        group = 1
    else:
        group = 2
    natural = [
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", bare.lower())
        if part
    ]
    return (group, natural, bare)


def render_from_import(module: str, names: list[str], line_length: int, magic_comma: bool) -> str:
    ordered = sorted(dict.fromkeys(names), key=_name_key)
    single = f"from {module} import {', '.join(ordered)}\n"
    if len(single) - 1 <= line_length and not magic_comma:
        return single
    body = "".join(f"    {name},\n" for name in ordered)
    return f"from {module} import (\n{body})\n"


def _keep_trailing_comment(text: str, statement: ast.stmt, rendered: str) -> str:
    """Carry a comment after the statement (``import x  # why``) over to its new text."""
    last_line = text.splitlines()[(statement.end_lineno or statement.lineno) - 1]
    rest = last_line[statement.end_col_offset or 0 :].strip()
    if not rest.startswith("#"):
        return rendered
    return rendered.rstrip("\n") + "  " + rest + "\n"


def _with_final_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _has_magic_comma(text: str, statement: ast.stmt) -> bool:
    segment = ast.get_source_segment(text, statement) or ""
    inside = segment.rstrip().removesuffix(")").rstrip()
    return segment.rstrip().endswith(")") and inside.endswith(",")


# --- statements ------------------------------------------------------------------------


def add_statement(
    text: str,
    code: str,
    *,
    present: Callable[[ast.stmt], bool],
    anchor: Callable[[ast.Module], tuple[ast.stmt, bool]],
) -> str:
    """Insert the one-line statement ``code`` beside the statement ``anchor`` finds.

    ``anchor`` returns the statement and whether ``code`` goes after it (or before it), at
    its indentation.  Nothing changes when a statement for which ``present`` holds exists.
    """
    text = _with_final_newline(text)
    tree = ast.parse(text)
    if any(present(node) for node in ast.walk(tree) if isinstance(node, ast.stmt)):
        return text
    statement, after = anchor(tree)
    line = " " * statement.col_offset + code + "\n"
    lines = text.splitlines(keepends=True)
    at = (statement.end_lineno or statement.lineno) if after else statement.lineno - 1
    return "".join([*lines[:at], line, *lines[at:]])


def remove_statements(text: str, *, matches: Callable[[ast.stmt], bool]) -> str:
    """Delete every statement for which ``matches`` holds (the undo of ``add_statement``)."""
    tree = ast.parse(text)
    doomed = [node for node in ast.walk(tree) if isinstance(node, ast.stmt) and matches(node)]
    for node in sorted(doomed, key=lambda node: node.lineno, reverse=True):
        text = _replace_lines(text, node.lineno, node.end_lineno, "")
    return text


def _replace_lines(text: str, first: int, last: int | None, replacement: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join([*lines[: first - 1], replacement, *lines[last or first :]])


# --- matching helpers ------------------------------------------------------------------


def method_call(node: ast.AST, method: str) -> ast.Call | None:
    """The call in ``x.method(...)`` or ``await x.method(...)``, if ``node`` is one."""
    value = node.value if isinstance(node, ast.Expr) else None
    if isinstance(value, ast.Await):
        value = value.value
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == method
    ):
        return value
    return None


def first_argument_is(call: ast.Call | None, code: str) -> bool:
    return call is not None and bool(call.args) and ast.unparse(call.args[0]) == code


def top_level_names(tree: ast.Module) -> set[str]:
    """Names a module binds at its top level: imports, functions, classes, assignments."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def registry_names(tree: ast.Module) -> set[str]:
    """Names that a new router or service module would collide with in ``main.py``.

    Those bound at the top level, and those bound inside the functions that register
    routers or services (``create_app`` and its lifespan): a local name there hides an
    imported module of the same name.
    """
    names = top_level_names(tree)
    registries = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(
            method_call(inner, method) is not None
            for inner in ast.walk(node)
            if isinstance(inner, ast.stmt)
            for method in ("include_router", "enter_async_context")
        )
    ]
    for function in registries:
        for node in ast.walk(function):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names
