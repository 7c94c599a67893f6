"""``fastml add-endpoint``: add a route, a REST resource or a UDP listener to a project."""

from __future__ import annotations

import ast
import builtins
import socket
from dataclasses import dataclass, field
from pathlib import Path

from fastml_scaffold.endpoints import (
    KINDS,
    MAIN,
    EndpointSpec,
    Kind,
    missing_inits,
    register,
    registration,
    render_files,
    shadows,
)
from fastml_scaffold.errors import FastmlError, InvalidAnswerError, InvalidNameError
from fastml_scaffold.plan import (
    Action,
    FileChange,
    OnConflict,
    apply_changes,
    plan_edit,
    plan_file,
    refuse_conflicts,
)
from fastml_scaffold.project import ENDPOINT_METHODS, RECORD_FILE, Project
from fastml_scaffold.routes import normalise, project_routes

HTTP_METHODS = ENDPOINT_METHODS  # what a record may hold is what add-endpoint makes
# Modules the generated project has; an endpoint of the same name would shadow one.
PROJECT_MODULES = ("main", "config", "model", "schemas", "deps", "train", "serving", "errors")


@dataclass(frozen=True)
class EndpointResult:
    """What a command did to a project (or, with ``dry_run``, would do)."""

    root: Path
    changes: list[FileChange] = field(default_factory=list)
    dry_run: bool = False


def add_endpoint(
    name: str,
    *,
    method: str | None = None,
    path: str | None = None,
    crud: bool = False,
    udp: bool = False,
    port: int | None = None,
    project: Path | None = None,
    on_conflict: OnConflict = OnConflict.ERROR,
    dry_run: bool = False,
) -> EndpointResult:
    """Add the endpoint ``name`` to the project at (or above) ``project``.

    Plans every file and edit, checks every collision, then writes (unless ``dry_run``).
    A second identical run changes nothing.
    """
    found = Project.find(project or Path.cwd())
    root = found.root
    spec = _spec(name, method=method, path=path, crud=crud, udp=udp, port=port)
    names = spec.names  # checks the name and the path
    width = found.line_length()
    files = render_files(spec, found.env_prefix, width, auth=found.needs_api_key)
    main_text = found.read(MAIN)
    _check_shadowing(root, main_text, names.module, spec)
    _check_same_kind(found, spec)
    _check_not_hand_made(found, spec, files)
    _check_routes(root, spec, files)
    _check_port(found, spec, force=on_conflict is OnConflict.FORCE)

    inits = missing_inits(root, spec)
    file_changes = [plan_file(root, path, text, on_conflict) for path, text in files.items()]
    # Files kept by --skip are the endpoint as it was recorded: keep that record too.
    kept = any(change.action is Action.SKIP for change in file_changes)
    recorded = found if kept else found.with_endpoint(names.module, spec.record())
    changes = [
        *(FileChange(path, Action.CREATE, content=text) for path, text in inits.items()),
        *file_changes,
        plan_edit(MAIN, main_text, register(main_text, registration(spec), width)),
        plan_edit(Path(RECORD_FILE), found.text, recorded.record_text()),
    ]
    refuse_conflicts(changes)
    if not dry_run:
        apply_changes(root, changes)
    return EndpointResult(root, changes, dry_run)


def _spec(
    name: str, *, method: str | None, path: str | None, crud: bool, udp: bool, port: int | None
) -> EndpointSpec:
    given = {"--crud": crud, "--udp": udp}  # the options of the kinds (endpoints.KINDS)
    asked = [kind for kind, record in KINDS.items() if given.get(record.option)]
    if len(asked) > 1:
        raise InvalidAnswerError(f"Choose one of {' and '.join(KINDS[k].option for k in asked)}.")
    kind: Kind = asked[0] if asked else "route"
    record = KINDS[kind]
    if method is not None and kind != "route":
        raise InvalidAnswerError(f"--method applies to a single route, not to {record.option}.")
    if path is not None and not record.http:
        raise InvalidAnswerError(f"--path applies to HTTP endpoints, not to {record.option}.")
    if udp and port is None:
        raise InvalidAnswerError(
            "--udp needs --port N: the UDP port to listen on (1-65535, or 0 for a free one)."
        )
    if port is not None and not udp:
        raise InvalidAnswerError("--port applies to --udp listeners only.")
    if port is not None and not 0 <= port <= 65535:
        raise InvalidAnswerError(f"--port {port} is not a port: give 1-65535, or 0 for a free one.")
    if kind == "route":
        method = "POST" if method is None else method.strip().upper()
        if method not in HTTP_METHODS:
            raise InvalidAnswerError(f"--method {method} is not one of: {', '.join(HTTP_METHODS)}.")
    return EndpointSpec(name=name.strip(), kind=kind, method=method, path=path, port=port)


def _check_shadowing(root: Path, main_text: str, module: str, spec: EndpointSpec) -> None:
    if module in dir(builtins):  # main.py's `str | None` would meet the module, not the type
        raise InvalidNameError(
            f"Endpoint name {spec.name!r} would hide Python's built-in {module}() in the "
            f"modules that import it: choose another name, e.g. {module}_api (--path /{module} "
            "keeps the URL)."
        )
    if module in PROJECT_MODULES:
        shadowed = f"the project's module app.{module}"
    else:
        try:
            shadowed = shadows(root, spec, ast.parse(main_text))
        except SyntaxError as exc:
            raise FastmlError(
                f"{MAIN} does not parse (line {exc.lineno}: {exc.msg}): fix it, then run again."
            ) from None
    if shadowed:
        raise InvalidNameError(
            f"Endpoint name {spec.name!r} would shadow {shadowed}: {_another_name(spec)}"
        )


def _check_same_kind(project: Project, spec: EndpointSpec) -> None:
    """An endpoint keeps its kind: making it again as another would orphan the files that
    only the first kind has (a resource's repository), even with --force."""
    recorded = project.endpoints.get(spec.names.module)
    if recorded is not None and recorded["kind"] != spec.kind:
        raise FastmlError(
            f"{spec.name!r} is already a {recorded['kind']} endpoint: remove it first "
            f"(fastml remove-endpoint {spec.names.module}), or choose another name."
        )


def _check_not_hand_made(project: Project, spec: EndpointSpec, files: dict[Path, str]) -> None:
    """Never touch a module that add-endpoint did not make, even with --force."""
    if spec.names.module in project.endpoints:
        return
    for path in files:
        if (project.root / path).exists():
            raise FastmlError(
                f"{path} exists and was not made by fastml add-endpoint: {_another_name(spec)}"
            )


def _another_name(spec: EndpointSpec) -> str:
    """The way out of a name clash: another name, and --path to keep the URL the name gave."""
    if not spec.kind_record.http:
        return "choose another name."
    path = spec.names.path
    return (
        f"choose another name; to keep the URL {path}, add --path, "
        f"e.g. fastml add-endpoint {spec.names.module}_api --path {path}."
    )


def _check_routes(root: Path, spec: EndpointSpec, files: dict[Path, str]) -> None:
    """Refuse a method and path that another module already serves."""
    ours = frozenset(root / path for path in files)
    existing = project_routes(root / "app", skip=ours) if spec.kind_record.http else {}
    for method, path in spec.routes():
        owner = existing.get(normalise(method, path))
        if owner is not None:
            where = owner.relative_to(root)
            raise FastmlError(
                f"{method} {spec.names.path} is already served by {where}: "
                "choose another name or --path."
            )


def _check_port(project: Project, spec: EndpointSpec, *, force: bool) -> None:
    """Refuse a UDP port that another listener of the project or another process holds,
    or that the container's user may not bind.  0 asks the system for a free port at start."""
    if not spec.port:
        return
    module = spec.names.module
    for other_module, other in project.endpoints.items():
        if other_module != module and other.get("port") == spec.port:
            raise FastmlError(
                f"UDP port {spec.port} is taken by the listener {other_module!r}: "
                "choose another --port."
            )
    if spec.port < 1024 and not force:
        raise FastmlError(
            f"UDP port {spec.port} is below 1024, which only root may bind, and the image runs "
            "as a user: choose 1024 or above, or pass --force if the service runs as root."
        )
    if module not in project.endpoints and _udp_port_in_use(spec.port):
        raise FastmlError(
            f"UDP port {spec.port} is in use on this machine by another process: "
            "choose another --port (0 picks a free one at start)."
        )


def _udp_port_in_use(port: int) -> bool:
    """Whether binding the port fails, on the listener's default host (all interfaces)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("0.0.0.0", port))  # nosec B104 - a probe, closed at once
        except PermissionError:
            return False  # below 1024 without root: the check above speaks of that
        except OSError:
            return True
    return False
