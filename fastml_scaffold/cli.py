"""The ``fastml`` command line: parse options, call the core, report, map errors to exit codes.

Nothing here knows how a project is made; that is ``fastml_scaffold.commands``.  Heavy
imports (Cookiecutter, Jinja2, Rich) happen inside the commands, so ``fastml --version``
and ``fastml --help`` start fast.
"""

# No ``from __future__ import annotations`` here: Typer reads every command's annotations on
# every run, and evaluating them from strings took 2 of the 3.5 ms it spent building them.
import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from fastml_scaffold import __version__, interrupts
from fastml_scaffold.interrupts import INTERRUPTED

try:  # Typer 0.28 carries its own copy of Click; earlier releases use Click itself
    from typer import _click as click
except ImportError:  # pragma: no cover
    import click  # type: ignore[no-redef]

if TYPE_CHECKING:
    from fastml_scaffold.models import ImportedModel
    from fastml_scaffold.templates import Question, TemplateSpec

# Click 8.2 reports a bare `fastml` as this usage error, whose message is the help.
_NoArgsIsHelp: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


class HttpMethod(str, Enum):
    """add_endpoint.HTTP_METHODS, which this module cannot import without slowing every
    start-up (a test keeps the two equal).  An Enum, as Typer before 0.19 knows no Literal."""

    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class _Group(TyperGroup):
    """The ``fastml`` group: a usage error is one line on stderr, like every other error."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's main, but every error is one line; with ``standalone_mode=False``
        (a caller of its own), Click's exceptions are left to the caller."""
        run = partial(super().main, args, prog_name, complete_var, False, windows_expand_args)
        if not standalone_mode:
            return run(**extra)
        try:
            result = run(**extra)
        except _NoArgsIsHelp as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.UsageError as exc:
            argv = sys.argv[1:] if args is None else list(args)
            command = self._command_path(exc, argv)
            _exit_with_error(_usage_message(exc, command, argv), exc.exit_code)
        except click.exceptions.ClickException as exc:
            _exit_with_error(exc.format_message(), exc.exit_code)
        except typer.Abort:
            _exit_with_error("Aborted.", 1)
        if result == 130:  # Typer's own answer to an interrupt while it parsed the options
            _exit_with_error(INTERRUPTED, 130)
        sys.exit(result if isinstance(result, int) else 0)

    def _command_path(self, exc: click.exceptions.UsageError, args: Sequence[str]) -> str:
        """``fastml new``: the command that the error is about."""
        if exc.ctx is not None:
            return exc.ctx.command_path
        # The parser raises some errors (an option given no value) without a context.
        name = next((arg for arg in args if arg in self.commands), None)
        return f"fastml {name}" if name else "fastml"


class _Command(TyperCommand):
    """A command whose usage line reads ``NAME``, as its help does, not Typer's ``{NAME}``."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [piece.removeprefix("{").removesuffix("}") for piece in pieces]


class _NewCommand(_Command):
    """``fastml new``, whose help ends with the template's questions."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        asked_when = _project_template().rules.asked_when
        rows = [
            (key, _question_help(q, asked_when.get(key, {}))) for key, q in _questions().items()
        ]
        with formatter.section("Questions (answer with --set KEY=VALUE, or when prompted)"):
            formatter.write_dl(rows)


def _project_template() -> "TemplateSpec":
    """The project template's declaration, its cookiecutter.json, read as plain JSON: no
    Cookiecutter, no Jinja2, a few milliseconds."""
    from fastml_scaffold.templates import load_template

    return load_template("project")


def _questions() -> dict[str, "Question"]:
    """The project template's questions but its name, which the NAME argument gives."""
    questions = _project_template().questions
    return {key: question for key, question in questions.items() if key != "project_name"}


def _question_help(question: "Question", asked_when: dict[str, str]) -> str:
    facts = [", ".join(question.choices)] if question.choices else []
    facts.append(f"default: {question.default}")
    if asked_when:
        facts.append("asked when " + " and ".join(f"{k}={v}" for k, v in asked_when.items()))
    return f"{question.label}  [{'; '.join(facts)}]"


def _usage_message(exc: click.exceptions.UsageError, command: str, args: Sequence[str]) -> str:
    """Click's message and what to try: the option meant, ``--set`` for an option of new
    that is a question, and the help of ``command`` (``fastml new``)."""
    message = exc.format_message()
    hints = [f"see {command} --help"]
    if isinstance(exc, click.exceptions.NoSuchOption):
        message = exc.message
        if exc.possibilities:
            hints.insert(0, f"try {' or '.join(sorted(exc.possibilities))}")
        elif command.split()[-1] == "new":
            hints[:0] = _set_hint(exc.option_name, args)
    return f"{message.rstrip('.')} ({'; '.join(hints)})"


def _set_hint(option: str, args: Sequence[str]) -> list[str]:
    """``try --set model_framework=onnx`` for ``--model-framework onnx``, if it is a question."""
    import shlex

    from fastml_scaffold.output import is_yes_no

    questions = _questions()
    key = option.lstrip("-").replace("-", "_")
    negated = questions.get(key.removeprefix("no_"))
    if key.startswith("no_") and negated is not None and is_yes_no(negated):
        return [f"try --set {negated.key}=no"]
    question = questions.get(key)
    if question is None:
        return []
    value = _option_value(option, args) or ("yes" if is_yes_no(question) else "VALUE")
    return [f"try --set {key}={shlex.quote(value)}"]


def _option_value(option: str, args: Sequence[str]) -> str | None:
    """The value given to ``option`` on the command line, as ``--opt=value`` or ``--opt value``."""
    for index, arg in enumerate(args):
        if arg.startswith(f"{option}="):
            return arg.partition("=")[2]
        following = args[index + 1] if index + 1 < len(args) else "-"
        if arg == option and not following.startswith("-"):
            return following
    return None


def _exit_with_error(message: str, code: int) -> NoReturn:
    from fastml_scaffold.output import print_error

    print_error(message)
    sys.exit(code)


def _complete_set(incomplete: str) -> list[str]:
    """Shell completion of ``--set``: the questions, then a question's choices."""
    questions = _questions()
    key, sep, _ = incomplete.partition("=")
    if sep and key in questions:
        candidates = [f"{key}={choice}" for choice in questions[key].choices]
    else:
        candidates = [f"{question}=" for question in questions]
    return [candidate for candidate in candidates if candidate.startswith(incomplete)]


app = typer.Typer(
    name="fastml",
    cls=_Group,
    help="Bootstrap production-grade FastAPI services for machine-learning models.\n\n"
    '\b\nExample:\n  fastml new "Iris Service"',
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
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
def _user_errors(code: int = 1) -> Iterator[None]:
    """Turn a ``FastmlError`` into one red line on stderr and exit ``code``; likewise the end
    of the input at a question (exit code 1) and an interrupt (130)."""
    from fastml_scaffold.errors import FastmlError

    try:
        yield
        # The work is done: a signal now would only hide its report behind exit code 130.
        interrupts.handle(interrupts.ignore)
    except FastmlError as exc:
        _exit_with_error(str(exc), code)

    except EOFError:  # Ctrl-D at a question
        _exit_with_error("No answer: the input ended. Nothing was written.", 1)
    except KeyboardInterrupt:
        _exit_with_error(INTERRUPTED, 130)


# new answers the template's questions with it; update changes answers with it.
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Set an answer, e.g. --set metrics=yes (quote values with spaces). Repeatable.",
        autocompletion=_complete_set,
    ),
]


@contextmanager
def _report_errors(code: int = 1) -> Iterator[None]:
    """The report of work done (once a signal no longer stops it): an output that cannot
    be written is one line, and a reader that leaves (| head) ends the run quietly."""
    try:
        yield
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(code)
    except OSError as exc:  # a full disk, say
        _exit_with_error(f"Cannot write the output: {exc.strerror or exc}.", code)


@app.command("new", cls=_NewCommand)
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
    skip: Annotated[
        bool,
        typer.Option("--skip", "-s", help="Generate into a non-empty folder, keeping its files."),
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
    set_answers: SetOption = None,
    model_path: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="Serve this trained model instead of the iris demo: a scikit-learn file "
            "(.joblib, .pkl), an ONNX file (.onnx), or an MLflow model folder. Loading a "
            "pickle runs its code: give only files you trust.",
            show_default=False,
        ),
    ] = None,
    features: Annotated[
        str | None,
        typer.Option(
            "--features",
            metavar="A,B,...",
            help="Names of the inputs of a --model fitted on an array (default: x0, x1...).",
            show_default=False,
        ),
    ] = None,
    sample: Annotated[
        Path | None,
        typer.Option(
            "--sample",
            help="Real input rows for --model's examples and tests: a CSV file with a header, "
            "or JSON rows.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a FastAPI serving project for an ML model.

    The project serves an iris classifier out of the box (scikit-learn, ONNX Runtime,
    PyTorch, or a rule of your own): train it, test it, run it, build its image.  With
    --model, it serves your trained model instead.  Asks the questions below in a
    terminal, those that no option answered.

    \b
    Examples:
      fastml new "Iris Service" --no-input --set author_name="Ada Lovelace"
      fastml new "Churn Service" --model churn.joblib --sample rows.csv
    """
    interactive = not no_input and sys.stdin.isatty()
    with _user_errors():
        from fastml_scaffold import output
        from fastml_scaffold.answers import parse_set_options
        from fastml_scaffold.commands.new import new_project
        from fastml_scaffold.plan import OnConflict

        model = _imported_model(model_path, features, sample)
        result = new_project(
            name,
            output_dir=output_dir,
            answers=parse_set_options(set_answers or []),
            config_file=config_file,
            on_conflict=OnConflict.from_options(force=force, skip=skip),
            dry_run=dry_run,
            ask=output.TerminalPrompter() if interactive else None,
            model=model,
        )
    output.report_new(result)


def _imported_model(
    path: Path | None, features: str | None, sample: Path | None
) -> "ImportedModel | None":
    if path is None:
        if features is not None or sample is not None:
            raise click.exceptions.UsageError(
                "--features and --sample describe a --model: give one."
            )
        return None
    from fastml_scaffold.models import import_model

    names = None
    if features is not None:
        names = [name.strip() for name in features.split(",")]
        if not all(names):
            raise click.exceptions.UsageError(
                "--features takes names separated by commas, e.g. a,b,c."
            )
        if len(set(names)) != len(names):
            raise click.exceptions.UsageError("--features names each input once.")
    return import_model(path, features=names, sample=sample)


# Options that the endpoint commands share.
ProjectOption = Annotated[
    Path | None,
    typer.Option("--project", help="The project's folder (default: found above the current one)."),
]
PlanOnlyOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the plan and a diff of each edit; write nothing.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


@app.command("add-endpoint", cls=_Command)
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
        HttpMethod | None,
        typer.Option(
            "--method",
            "-m",
            case_sensitive=False,
            metavar=f"<{'|'.join(HttpMethod)}>",
            help="HTTP method, in any case (default: POST).",
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
    with _user_errors():
        from fastml_scaffold import output
        from fastml_scaffold.commands.add_endpoint import add_endpoint
        from fastml_scaffold.plan import OnConflict

        on_conflict = OnConflict.from_options(force=force, skip=skip)
        result = add_endpoint(
            name,
            method=method.value if method else None,
            path=path,
            crud=crud,
            udp=udp,
            port=port,
            project=project,
            on_conflict=on_conflict,
            dry_run=dry_run,
        )
    output.report_endpoint(result, quiet=quiet, verb="written")


@app.command("remove-endpoint", cls=_Command)
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
    skip: Annotated[
        bool, typer.Option("--skip", "-s", help="Keep files that were changed since.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Undo add-endpoint: remove the endpoint's files and its lines in app/main.py.

    \b
    Example:
      fastml remove-endpoint score --dry-run
    """
    with _user_errors():
        from fastml_scaffold import output
        from fastml_scaffold.commands.remove_endpoint import remove_endpoint
        from fastml_scaffold.plan import OnConflict

        on_conflict = OnConflict.from_options(force=force, skip=skip)
        result = remove_endpoint(name, project=project, on_conflict=on_conflict, dry_run=dry_run)
    output.report_endpoint(result, quiet=quiet, verb="removed")


@app.command("endpoints", cls=_Command)
def endpoints_command(project: ProjectOption = None) -> None:
    """List the endpoints that add-endpoint made: name, kind, method, path and files.

    \b
    Example:
      fastml endpoints --project iris-service
    """
    with _user_errors():
        from fastml_scaffold import output
        from fastml_scaffold.commands.endpoints import list_endpoints

        endpoints = list_endpoints(project)
    output.report_endpoints(endpoints)


@app.command("update", cls=_Command)
def update_command(
    project: ProjectOption = None,
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="VERSION", help="Template version (default: the newest)."),
    ] = None,
    set_answers: SetOption = None,
    dry_run: PlanOnlyOption = False,
    force: Annotated[
        bool,
        typer.Option("--force", "-f", help="Run outside git, or with uncommitted changes."),
    ] = False,
) -> None:
    """Bring the project to the current template, keeping your changes (a three-way merge).

    Files you did not touch take the new template's version; files you changed stay;
    files both changed are merged, and overlapping changes get conflict markers.  Exit 1
    lists the files with conflicts: resolve them, commit, and run update again to finish.

    \b
    Example:
      fastml update --dry-run
      fastml update --set metrics=yes
    """
    with _user_errors():
        from fastml_scaffold import output
        from fastml_scaffold.answers import parse_set_options
        from fastml_scaffold.commands.update import update_project

        result = update_project(
            project,
            to=to,
            answers=parse_set_options(set_answers or []),
            dry_run=dry_run,
            force=force,
        )
    with _report_errors():
        output.report_update(result)
    if result.conflicts:
        raise typer.Exit(1)


@app.command("check", cls=_Command)
def check_command(
    project: ProjectOption = None,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Show what the current template changes, rendered with the project's answers.",
        ),
    ] = False,
) -> None:
    """Tell whether the project is on the current template: exit 0 if it is, 1 if a newer
    template exists, 2 if it cannot tell (for CI, as diff does).  Never writes.

    \b
    Example:
      fastml check --project iris-service --diff
    """
    with _user_errors(code=2):  # 1 means an update is available
        from fastml_scaffold import output
        from fastml_scaffold.commands.check import check_project

        result = check_project(project, diff=diff)
    with _report_errors(code=2):
        output.report_check(result)
    if not result.up_to_date:
        raise typer.Exit(1)


def main() -> None:
    """Run the command line; ``fastml_scaffold.__main__.main`` calls it once signals are
    handled."""
    interrupts.handle(interrupts.stop_after_children)
    for stream in (sys.stdout, sys.stderr):  # a path the terminal cannot show: escaped
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        try:
            app(prog_name="fastml")
        finally:
            interrupts.handle(interrupts.ignore)  # the run is over
    except KeyboardInterrupt:  # a signal in the instant the run ended
        _exit_with_error(INTERRUPTED, 130)
