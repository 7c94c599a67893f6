"""Edits of Python source that survive reformatting: found with ``ast``, made on lines.

Each edit is idempotent (an edit already made returns the source unchanged) and is
anchored on real code (an import, a call, a ``yield``), never on a magic comment, so a
file reformatted by ``ruff format`` or extended by hand still takes it.  Imports are
written as ``ruff``'s isort would write them, so the project's lint stays clean.

Lines are counted as ``ast`` counts them, and everything we do not add stays as the owner
wrote it: line breaks (LF, CRLF), the final newline or its absence, tabs, a wrapped import.
An edit that would leave code that does not parse raises ``AnchorNotFound`` instead.
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
    return _edited(text, lambda source: _add_from_import(source, module, name, line_length))


def remove_from_import(text: str, module: str, name: str, *, line_length: int) -> str:
    """Undo ``add_from_import``: drop ``name``, and the statement once it imports nothing."""
    return _edited(text, lambda source: _remove_from_import(source, module, name, line_length))


def _add_from_import(text: str, module: str, name: str, line_length: int) -> str:
    tree = ast.parse(text)
    if _statement_importing(tree, module, name) is not None:
        return text
    statement = _from_import(tree, module)
    if statement is None:
        return _new_from_import(text, tree, module, name, line_length)
    names = [_alias_text(alias) for alias in statement.names]
    lines = _lines(text)
    _check_stands_alone(lines, statement)
    if _name_lines(lines, statement):
        return _insert_name_line(lines, statement, name, _newline(text))
    magic_comma = _has_magic_comma(text, statement)
    as_ruff_writes_it = _keep_trailing_comment(
        lines, statement, render_from_import(module, names, line_length, magic_comma)
    )
    written = "".join(lines[statement.lineno - 1 : statement.end_lineno]).replace("\r\n", "\n")
    if written != as_ruff_writes_it:
        # The owner wrote this import their own way (comments inside, their own order or
        # wrapping): leave it as it is, and import the name on a line of its own below it.
        own_line = f"from {module} import {name}{_newline(text)}"
        return "".join([*lines[: statement.end_lineno], own_line, *lines[statement.end_lineno :]])
    rendered = render_from_import(module, [*names, name], line_length, magic_comma)
    rendered = _keep_trailing_comment(lines, statement, rendered)
    return _replace_lines(text, statement.lineno, statement.end_lineno, rendered)


def _statement_importing(tree: ast.Module, module: str, name: str) -> ast.ImportFrom | None:
    """The ``from module import ...`` statement that imports ``name``, if there is one."""
    for node in tree.body:
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == module
            and node.level == 0
            and name in map(_alias_text, node.names)
        ):
            return node
    return None


def _new_from_import(text: str, tree: ast.Module, module: str, name: str, line_length: int) -> str:
    anchor = _import_to_follow(tree, module)
    if anchor is None:
        raise AnchorNotFound(f"no `from {module.split('.')[0]} ... import` statement")
    rendered = render_from_import(module, [name], line_length, magic_comma=False)
    lines = _lines(text)
    at = anchor.end_lineno if _sort_key(anchor) < _module_key(module) else anchor.lineno - 1
    lines.insert(at or 0, rendered.replace("\n", _newline(text)))
    return "".join(lines)


def _remove_from_import(text: str, module: str, name: str, line_length: int) -> str:
    statement = _statement_importing(ast.parse(text), module, name)
    if statement is None:
        return text
    names = [_alias_text(alias) for alias in statement.names]
    rest = [other for other in names if other != name]
    lines = _lines(text)
    _check_stands_alone(lines, statement)
    if not rest:
        return _replace_lines(text, statement.lineno, statement.end_lineno, "")
    own_lines = _name_lines(lines, statement)
    # An add that had to wrap the statement is undone by putting it back on one line; a
    # statement the owner wrapped (a trailing comma, names that fit) stays as they wrote it.
    wrapped_by_add = not _fits(module, names, line_length) and _fits(module, rest, line_length)
    if own_lines and not wrapped_by_add:
        return _replace_lines(text, own_lines[name], own_lines[name], "")
    rendered = render_from_import(module, rest, line_length, magic_comma=False)
    rendered = _keep_trailing_comment(lines, statement, rendered)
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


def _fits(module: str, names: list[str], line_length: int) -> bool:
    """Whether ``render_from_import`` writes these names on one line."""
    return len(f"from {module} import {', '.join(names)}") <= line_length


def _name_lines(lines: list[str], statement: ast.ImportFrom) -> dict[str, int]:
    """Each imported name's line number, when every name has a line of its own (``name,``,
    perhaps a comment): the form the owner's trailing comma keeps.  Empty otherwise.
    """
    found: dict[str, int] = {}
    for alias in statement.names:
        # An import holds no strings, so its first ``#`` starts a comment.
        code = lines[alias.lineno - 1].split("#")[0]
        if alias.lineno in found.values() or " ".join(code.split()) != f"{_alias_text(alias)},":
            return {}
        found[_alias_text(alias)] = alias.lineno
    return found


def _insert_name_line(lines: list[str], statement: ast.ImportFrom, name: str, newline: str) -> str:
    """``name,`` on a line of its own, among the others in the order ruff sorts them."""
    later = [alias for alias in statement.names if _name_key(_alias_text(alias)) > _name_key(name)]
    neighbour = later[0] if later else statement.names[-1]
    at = neighbour.lineno - 1 if later else neighbour.lineno
    line = lines[neighbour.lineno - 1]
    indentation = line[: len(line) - len(line.lstrip(" \t"))]
    lines.insert(at, f"{indentation}{name},{newline}")
    return "".join(lines)


def _keep_trailing_comment(lines: list[str], statement: ast.stmt, rendered: str) -> str:
    """Carry a comment after the statement (``import x  # why``) over to its new text."""
    last_line = lines[(statement.end_lineno or statement.lineno) - 1]
    rest = _after(last_line, statement.end_col_offset).rstrip("\r\n")
    if not rest.strip().startswith("#"):
        return rendered
    return rendered.rstrip("\n") + rest + "\n"


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

    ``anchor`` returns the statement and whether ``code`` goes after it (or before it), with
    its indentation.  Nothing changes when a statement for which ``present`` holds exists.
    """
    return _edited(text, lambda source: _add_statement(source, code, present, anchor))


def _add_statement(
    text: str,
    code: str,
    present: Callable[[ast.stmt], bool],
    anchor: Callable[[ast.Module], tuple[ast.stmt, bool]],
) -> str:
    tree = ast.parse(text)
    if any(present(node) for node in ast.walk(tree) if isinstance(node, ast.stmt)):
        return text
    statement, after = anchor(tree)
    lines = _lines(text)
    _check_stands_alone(lines, statement)
    # The anchor's own whitespace, not its column: tabs stay tabs.
    indentation = _before(lines[statement.lineno - 1], statement.col_offset)
    at = (statement.end_lineno or statement.lineno) if after else statement.lineno - 1
    lines.insert(at, indentation + code + _newline(text))
    return "".join(lines)


def remove_statements(text: str, *, matches: Callable[[ast.stmt], bool]) -> str:
    """Delete every statement for which ``matches`` holds (the undo of ``add_statement``)."""
    return _edited(text, lambda source: _remove_statements(source, matches))


def _remove_statements(text: str, matches: Callable[[ast.stmt], bool]) -> str:
    tree = ast.parse(text)
    doomed = [node for node in ast.walk(tree) if isinstance(node, ast.stmt) and matches(node)]
    lines = _lines(text)
    for node in sorted(doomed, key=lambda node: node.lineno, reverse=True):
        _check_stands_alone(lines, node)
        del lines[node.lineno - 1 : node.end_lineno or node.lineno]
    return "".join(lines)


# --- lines -----------------------------------------------------------------------------

# Where ``ast`` counts a new line: not ``str.splitlines()``, which also breaks at form
# feeds, U+2028 and other characters that Python reads as part of a line.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as ``ast`` numbers them, each with its own line break."""
    return _LINE.findall(text)


def _newline(text: str) -> str:
    """The file's line break, for the lines we add: its first one (LF if it has none)."""
    found = _LINE_BREAK.search(text)
    return found.group() if found else "\n"


def _edited(text: str, edit: Callable[[str], str]) -> str:
    """``edit`` made on ``text``, then checked: the result must parse.

    The edit sees the last line ended, so a statement added after it stays apart; the
    result gets back the text's own final-newline state, so an add and a remove cancel out.
    """
    unended = bool(text) and not text.endswith(("\r", "\n"))
    source = text + _newline(text) if unended else text
    result = edit(source)
    if result == source:
        return text
    if unended:
        result = result.removesuffix("\n").removesuffix("\r")
    try:
        ast.parse(result)
    except SyntaxError as exc:
        raise AnchorNotFound(f"the edit would not parse ({exc.msg}, line {exc.lineno})") from None
    return result


def _replace_lines(text: str, first: int, last: int | None, replacement: str) -> str:
    """Lines ``first`` to ``last`` replaced by ``replacement``, in the file's line breaks."""
    lines = _lines(text)
    lines[first - 1 : last or first] = [replacement.replace("\n", _newline(text))]
    return "".join(lines)


def _check_stands_alone(lines: list[str], statement: ast.stmt) -> None:
    """Refuse a statement that shares its lines with other code: editing them would edit
    that code too, or put ours on the wrong side of it.
    """
    before = _before(lines[statement.lineno - 1], statement.col_offset)
    after = _after(lines[(statement.end_lineno or statement.lineno) - 1], statement.end_col_offset)
    if before.strip() or not (after.strip() == "" or after.lstrip().startswith("#")):
        raise AnchorNotFound(f"line {statement.lineno} has other code beside the statement")


# ``ast`` gives columns in UTF-8 bytes: cut a line there, not at that many characters.


def _before(line: str, column: int) -> str:
    return line.encode()[:column].decode()


def _after(line: str, column: int | None) -> str:
    return line.encode()[column or 0 :].decode()


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
