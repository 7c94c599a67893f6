"""What fastml prints and asks: Rich on a terminal, plain text in a pipe; errors on stderr."""

from __future__ import annotations

import select
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from fastml_scaffold.plan import Action, FileChange

if TYPE_CHECKING:
    from fastml_scaffold.commands.add_endpoint import EndpointResult
    from fastml_scaffold.commands.check import CheckResult
    from fastml_scaffold.commands.endpoints import EndpointInfo
    from fastml_scaffold.commands.new import NewResult
    from fastml_scaffold.commands.update import UpdateResult
    from fastml_scaffold.templates import Question

_ACTION_STYLES = {
    Action.CREATE: "green",
    Action.INSERT: "green",
    Action.SUBTRACT: "red",
    Action.OVERWRITE: "yellow",
    Action.CONFLICT: "red",
    Action.REMOVE: "red",
    Action.IDENTICAL: "blue",
    Action.UNCHANGED: "blue",
    Action.SKIP: "yellow",
}


@cache
def stdout() -> Console:
    return Console(highlight=False)


@cache
def stderr() -> Console:
    return Console(stderr=True, highlight=False)


def print_error(message: str) -> None:
    """One line on stderr, never wrapped, so scripts can grep it.  A control character or a
    line separator the user typed (quoted in the message) is shown escaped, as repr does."""
    one_line = "".join(_escaped(ch) for ch in message)
    stderr().print(f"[bold red]error:[/] {escape(one_line)}", soft_wrap=True)


def _escaped(ch: str) -> str:
    if ch == " " or not unicodedata.category(ch).startswith(("C", "Z")):
        return ch
    return ch.encode("unicode_escape").decode("ascii")


def read_line(prompt: str) -> str:
    """``input(prompt)``, but a Ctrl-C typed just as the prompt appears stops it at once.

    ``input`` blocks in a read that a signal which arrived a moment before no longer
    interrupts: Python runs its handler only after the next key.  Waiting for the line in
    short polls lets the handler run (and raise KeyboardInterrupt) within 50 ms."""
    if not hasattr(select, "poll") or not sys.stdin.isatty():
        return input(prompt)
    sys.stdout.write(prompt)
    sys.stdout.flush()
    poller = select.poll()
    poller.register(sys.stdin.fileno(), select.POLLIN)
    while not poller.poll(50):
        pass
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.removesuffix("\n")


class TerminalPrompter:
    """Asks the template's questions one line each, with their place: ``[3/12] Author name``.

    An empty answer takes the default; a choice is also taken by its number or in any case,
    and a yes/no question by y or n.  A refused answer is shown with its reason and the
    question asked again.  ``read`` and ``write`` are ``read_line`` and ``print`` on a terminal,
    and a test's own functions elsewhere.
    """

    def __init__(
        self, read: Callable[[str], str] = read_line, write: Callable[[str], None] = print
    ) -> None:
        self._read = read
        self._write = write

    def ask(self, question: Question, *, number: int, total: int, problem: str | None) -> str:
        place = f"[{number}/{total}]"
        if problem is not None:
            self._write(f"  {problem}")
        elif question.choices and not is_yes_no(question):
            self._write(f"{place} {question.label}")  # its choices go on the next line
        try:
            typed = self._read(_prompt(question, place))
        except (EOFError, KeyboardInterrupt):
            self._write("")  # the cursor is still on the prompt's line: the error needs its own
            raise
        return interpret_answer(question, typed)


def _prompt(question: Question, place: str) -> str:
    """The line the answer is typed on: the default in brackets, choices with their number."""
    if is_yes_no(question):
        return f"{place} {question.label} [{'Y/n' if question.default == 'yes' else 'y/N'}]: "
    if question.choices:
        numbered = "  ".join(f"{n}) {choice}" for n, choice in enumerate(question.choices, 1))
        return f"  {numbered} [{question.default}]: "
    shown = f" [{question.default}]" if question.default else ""
    return f"{place} {question.label}{shown}: "


def is_yes_no(question: Question) -> bool:
    return sorted(question.choices) == ["no", "yes"]


def interpret_answer(question: Question, text: str) -> str:
    """The answer meant by ``text``: the default if empty, else a choice by name in any
    case, by its number, or y/n; otherwise the text, for the checks to refuse."""
    text = text.strip()
    if not text:
        return question.default
    if is_yes_no(question):
        return {"y": "yes", "n": "no"}.get(text.lower(), text.lower())
    by_name = {choice.lower(): choice for choice in question.choices}
    if text.lower() in by_name:
        return by_name[text.lower()]
    if text.isdigit() and 1 <= int(text) <= len(question.choices):
        return question.choices[int(text) - 1]
    return text


def action_label(action: Action) -> str:
    style = _ACTION_STYLES[action]
    return f"[bold {style}]{action.value:>9}[/]"


def changes_tree(root_label: str, changes: list[FileChange]) -> Tree:
    """A tree of the planned files, each with its action."""
    tree = Tree(f"[bold]{escape(root_label)}/[/]")
    folders: dict[Path, Tree] = {Path("."): tree}
    for change in changes:
        parent = _folder_node(folders, change.path.parent)
        parent.add(f"{escape(change.path.name)}  {action_label(change.action)}")
    return tree


def _folder_node(folders: dict[Path, Tree], folder: Path) -> Tree:
    if folder not in folders:
        parent = _folder_node(folders, folder.parent)
        folders[folder] = parent.add(f"[bold]{escape(folder.name)}/[/]")
    return folders[folder]


def report_new(result: NewResult) -> None:
    console = stdout()
    where = _display_path(result.project_dir)
    for leftover in result.removed_leftovers:
        message = f"Removed {_display_path(leftover)}, left by a run that was killed."
        console.print(escape(message), soft_wrap=True)
    if result.dry_run:
        console.print(f"Dry run: would create [bold]{escape(where)}[/]; nothing was written.")
    console.print(changes_tree(where, result.changes))
    if result.dry_run:
        return
    console.print(
        f"\n[bold green]Created[/] {escape(result.names.display_name)} in {escape(where)}"
    )
    console.print("\nNext steps:")
    for step in _next_steps(where, result.answers, trains=result.model is None):
        console.print(f"  [cyan]{escape(step)}[/]", soft_wrap=True)


def _next_steps(where: str, answers: Mapping[str, str], *, trains: bool) -> list[str]:
    """The generated README's quick start, after a cd into the project (a test keeps the
    two the same)."""
    steps = [f"cd {where}", "python -m venv .venv && . .venv/bin/activate"]
    if answers.get("model_framework") == "pytorch":
        if answers.get("device") == "cuda":
            steps.append("pip install 'torch>=2.3'  # PyPI's Linux build of torch is the CUDA one")
        else:
            steps.append(
                "pip install 'torch>=2.3' --index-url https://download.pytorch.org/whl/cpu"
                "  # CPU build: see below"
            )
    steps.append("pip install -e '.[dev]'   # or: poetry install --extras dev")
    if trains:
        model_file = answers.get("model_file", "")
        steps.append(f"python -m app.train       # train the model into models/{model_file}")
    steps.append("pytest                    # run the tests")
    if answers.get("auth") == "api_key":
        prefix = answers.get("env_prefix", "")
        steps.append(f"export {prefix}API_KEYS=my-secret-key  # the key clients must send")
    steps.append("python -m app             # serve on http://localhost:8000")
    return steps


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def report_endpoint(result: EndpointResult, *, quiet: bool, verb: str) -> None:
    """Status lines as generators print them; with ``dry_run``, the diff of each edit."""
    console = stdout()
    if quiet and not result.dry_run:
        return
    for change in result.changes:
        console.print(f"{action_label(change.action)}  {escape(change.path.as_posix())}")
        if result.dry_run and change.action in (Action.INSERT, Action.SUBTRACT, Action.OVERWRITE):
            console.print(escape(change.diff()), style="dim", soft_wrap=True)
    if result.dry_run:
        console.print(f"Dry run: nothing was {verb}.")


def report_endpoints(endpoints: Sequence[EndpointInfo]) -> None:
    """A plain table, one endpoint a line: for people, and for grep and awk."""
    if not endpoints:
        print("No endpoints yet: add one with fastml add-endpoint NAME.")
        return
    rows = [("NAME", "KIND", "METHOD", "PATH", "FILES")]
    for endpoint in endpoints:
        files = " ".join(path.as_posix() for path in endpoint.files)
        rows.append((endpoint.name, endpoint.kind, *_served_at(endpoint), files))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for *cells, files in rows:
        padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=True)]
        print("  ".join([*padded, files]))


def _served_at(endpoint: EndpointInfo) -> tuple[str, str]:
    """The METHOD and PATH cells: a resource serves every method, a listener a UDP port."""
    if endpoint.kind == "listener":
        return "UDP", f":{endpoint.port}"
    return endpoint.method or "CRUD", endpoint.path or ""


def report_check(result: CheckResult) -> None:
    """One line: up to date, or which template the project is on and which is current."""
    console = stdout()
    if result.up_to_date:
        console.print(f"Up to date: {escape(str(result.root))} is on template {result.current}.")
        return
    if result.pending:
        console.print(
            f"Template {result.version} -> {result.pending}: an update of "
            f"{escape(str(result.root))} waits for its conflicts: resolve them, then run "
            "fastml update again.",
            soft_wrap=True,
        )
        return
    if result.diff:
        console.print(escape(result.diff), end="", soft_wrap=True, highlight=False)
    console.print(
        f"Template {result.version} -> {result.current}: {escape(str(result.root))} was made "
        f"with an older template{'' if result.diff else ' (--diff shows what changed)'}.",
        soft_wrap=True,
    )


def report_update(result: UpdateResult) -> None:
    """Each file the update touches (and each it kept for a reason), then the outcome."""
    console = stdout()
    for item in result.files:
        if item.kind == "keep" and not item.note:
            continue
        note = f"  ({escape(item.note)})" if item.note else ""
        console.print(f"  {item.kind:<9} {escape(item.path.as_posix())}{note}", soft_wrap=True)
        if result.dry_run and item.change.action.writes:
            console.print(escape(item.change.diff()), end="", soft_wrap=True, highlight=False)
    where = escape(str(result.root))
    if result.conflicts and result.dry_run:
        console.print(
            f"Dry run: template {result.old} -> {result.new} would leave "
            f"{len(result.conflicts)} file(s) with conflicts in {where}; nothing was written.",
            soft_wrap=True,
        )
    elif result.conflicts:
        console.print(
            f"Template {result.old} -> {result.new}: {len(result.conflicts)} file(s) with "
            f"conflicts in {where}; resolve the markers, then run fastml update again.",
            soft_wrap=True,
        )
    elif result.finishing:
        done = "would finish" if result.dry_run else "finished"
        console.print(
            f"No conflict marker left: {done} the update of {where} to template {result.new}.",
            soft_wrap=True,
        )
    elif result.dry_run:
        console.print(f"Dry run: template {result.old} -> {result.new}; nothing was written.")
    elif result.old == result.new and not result.changed:
        console.print(f"{where} is on template {result.new}: nothing to update.", soft_wrap=True)
    else:
        console.print(f"Updated {where} to template {result.new}.", soft_wrap=True)
