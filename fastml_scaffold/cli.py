"""The ``fastml`` command line: parse options, call the core, report, map errors to exit codes.

Nothing here knows how a project is made; that is ``fastml_scaffold.commands``.  Heavy
imports (Cookiecutter, Jinja2, Rich) happen inside the commands, so ``fastml --version``
and ``fastml --help`` start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from fastml_scaffold import __version__

app = typer.Typer(
    name="fastml",
    help="Bootstrap production-grade FastAPI services for machine-learning models.\n\n"
    '\b\nExample:\n  fastml new "Iris Service"',
    no_args_is_help=True,
    add_completion=False,
    # Plain Click help: Typer's Rich help imports Rich's Markdown and traceback modules,
    # which doubled the start-up time of `fastml --help` (bench/cli_startup.py).
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # a bug's traceback stays plain and complete
)


def _print_version(value: bool) -> None:
    if value:
        print(f"fastml {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Bootstrap production-grade FastAPI services for machine-learning models.

    \b
    Example:
      fastml new "Iris Service"
    """


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a ``FastmlError`` into one red line on stderr and exit code 1."""
    from fastml_scaffold.errors import FastmlError

    try:
        yield
    except FastmlError as exc:
        from fastml_scaffold.output import print_error

        print_error(str(exc))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        from fastml_scaffold.output import print_error

        print_error("Interrupted: nothing was written.")
        raise typer.Exit(130) from None


@app.command("new")
def new_command(
    name: Annotated[
        str,
        typer.Argument(
            help='Display name of the project, e.g. "Iris Service".',
            metavar="NAME",
            show_default=False,
        ),
    ],
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output-dir", "-o", help="Folder to create the project in.", file_okay=False
        ),
    ] = Path("."),
    no_input: Annotated[
        bool,
        typer.Option("--no-input", help="Do not prompt; use defaults for unanswered questions."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", "-f", help="Generate into a non-empty folder, overwriting its files."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be created; write nothing.")
    ] = False,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config-file",
            help="YAML file of answers (question: answer, or Cookiecutter's default_context).",
            dir_okay=False,
        ),
    ] = None,
    set_answers: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Answer one question, e.g. --set author_name='Ada Lovelace'. Repeatable.",
        ),
    ] = None,
) -> None:
    """Create a FastAPI serving project for an ML model.

    The project serves an iris classifier out of the box (scikit-learn, ONNX Runtime,
    PyTorch, or a rule of your own): train it, test it, run it, build its image.  Prompts
    for the template's questions when run in a terminal.

    \b
    Example:
      fastml new "Iris Service" --no-input --set author_name="Ada Lovelace"
    """
    from fastml_scaffold import output
    from fastml_scaffold.answers import parse_set_options
    from fastml_scaffold.commands.new import new_project

    interactive = not no_input and sys.stdin.isatty()
    with _user_errors():
        result = new_project(
            name,
            output_dir=output_dir,
            answers=parse_set_options(set_answers or []),
            config_file=config_file,
            force=force,
            dry_run=dry_run,
            ask=output.ask_question if interactive else None,
        )
    output.report_new(result)


# Options that add-endpoint and remove-endpoint share.
ProjectOption = Annotated[
    Path | None,
    typer.Option("--project", help="The project's folder (default: found above the current one)."),
]
PlanOnlyOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the plan and a diff of each edit; write nothing.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


@app.command("add-endpoint")
def add_endpoint_command(
    name: Annotated[
        str,
        typer.Argument(
            help="Name of the endpoint, e.g. score; also its module and URL path.",
            metavar="NAME",
            show_default=False,
        ),
    ],
    method: Annotated[
        str | None,
        typer.Option(
            "--method",
            "-m",
            help="HTTP method: GET, POST (default), PUT, PATCH or DELETE.",
            show_default=False,
        ),
    ] = None,
    path: Annotated[
        str | None,
        typer.Option("--path", help="URL path instead of /NAME, e.g. /v1/scores/{score_id}."),
    ] = None,
    crud: Annotated[
        bool,
        typer.Option("--crud", help="A REST resource: list, get, create, replace, update, delete."),
    ] = False,
    udp: Annotated[
        bool,
        typer.Option("--udp", help="An asyncio UDP listener started with the app (needs --port)."),
    ] = False,
    port: Annotated[
        int | None, typer.Option("--port", help="UDP port of a --udp listener.", show_default=False)
    ] = None,
    project: ProjectOption = None,
    dry_run: PlanOnlyOption = False,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite files that exist with other content.")
    ] = False,
    skip: Annotated[
        bool, typer.Option("--skip", "-s", help="Keep files that exist with other content.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Add an endpoint to a project made by fastml new, and wire it into app/main.py.

    Each endpoint gets its module, its schemas and a test module that passes as generated.
    Every collision is checked before anything is written; running it twice changes nothing.

    \b
    Examples:
      fastml add-endpoint score --method GET
      fastml add-endpoint items --crud
      fastml add-endpoint telemetry --udp --port 9999
    """
    from fastml_scaffold import output
    from fastml_scaffold.commands.add_endpoint import add_endpoint
    from fastml_scaffold.plan import OnConflict

    with _user_errors():
        if force and skip:
            from fastml_scaffold.errors import FastmlError

            raise FastmlError("Choose one of --force and --skip.")
        on_conflict = OnConflict.FORCE if force else OnConflict.SKIP if skip else OnConflict.ERROR
        result = add_endpoint(
            name,
            method=method,
            path=path,
            crud=crud,
            udp=udp,
            port=port,
            project=project,
            on_conflict=on_conflict,
            dry_run=dry_run,
        )
    output.report_endpoint(result, quiet=quiet, verb="written")


@app.command("remove-endpoint")
def remove_endpoint_command(
    name: Annotated[
        str,
        typer.Argument(
            help="Name of an endpoint that add-endpoint made.", metavar="NAME", show_default=False
        ),
    ],
    project: ProjectOption = None,
    dry_run: PlanOnlyOption = False,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Remove files even if they were changed since.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Undo add-endpoint: remove the endpoint's files and its lines in app/main.py.

    \b
    Example:
      fastml remove-endpoint score --dry-run
    """
    from fastml_scaffold import output
    from fastml_scaffold.commands.remove_endpoint import remove_endpoint

    with _user_errors():
        result = remove_endpoint(name, project=project, force=force, dry_run=dry_run)
    output.report_endpoint(result, quiet=quiet, verb="removed")


def main() -> None:
    """Entry point of the ``fastml`` console script."""
    app(prog_name="fastml")
