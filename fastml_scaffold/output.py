"""What fastml prints: Rich on a terminal, plain text in a pipe; errors on stderr."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from fastml_scaffold.plan import Action, FileChange

if TYPE_CHECKING:
    from fastml_scaffold.commands.add_endpoint import EndpointResult
    from fastml_scaffold.commands.new import NewResult
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
    """One line on stderr, never wrapped, so scripts can grep it."""
    stderr().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


def ask_question(question: Question) -> str:
    """Ask one template question on the terminal, with its default and choices."""
    from rich.prompt import Prompt

    choices = list(question.choices) or None
    return Prompt.ask(
        escape(question.label), default=question.default, choices=choices, console=stdout()
    )


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
    if result.dry_run:
        console.print(f"Dry run: would create [bold]{escape(where)}[/]; nothing was written.")
    console.print(changes_tree(where, result.changes))
    if result.dry_run:
        return
    console.print(
        f"\n[bold green]Created[/] {escape(result.names.display_name)} in {escape(where)}"
    )
    console.print("\nNext steps:")
    for step in _next_steps(where):
        console.print(f"  [cyan]{escape(step)}[/]", soft_wrap=True)


def _next_steps(where: str) -> list[str]:
    return [
        f"cd {where}",
        "python -m venv .venv && . .venv/bin/activate",
        "pip install -e '.[dev]'",
        "python -m app.train        # train the model into models/",
        "pytest                     # run the project's tests",
        "python -m app              # serve on http://localhost:8000/docs",
    ]


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
