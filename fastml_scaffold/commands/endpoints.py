"""``fastml endpoints``: the endpoints that add-endpoint made in a project, from its record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastml_scaffold.endpoints import EndpointSpec, Kind, render_files
from fastml_scaffold.project import Project


@dataclass(frozen=True)
class EndpointInfo:
    """One endpoint of a project: what it serves, and the files it is made of."""

    name: str
    kind: Kind
    method: str | None  # a route's HTTP method; a resource serves them all
    path: str | None  # the URL path of a route or a resource
    port: int | None  # the UDP port of a listener
    files: tuple[Path, ...]


def list_endpoints(project: Path | None = None) -> list[EndpointInfo]:
    """The endpoints recorded in the project at (or above) ``project``, by module name.

    Their files are those add-endpoint makes for the same record, whether or not they were
    changed since.
    """
    found = Project.find(project or Path.cwd())  # checks every entry
    width = found.line_length()
    return [
        _info(EndpointSpec.from_record(entry), found.env_prefix, width)
        for entry in found.endpoints.values()
    ]


def _info(spec: EndpointSpec, env_prefix: str, width: int) -> EndpointInfo:
    # The paths come from the renderer itself, so this list cannot drift from what
    # add-endpoint writes; rendering an endpoint's few templates takes milliseconds.
    files = tuple(render_files(spec, env_prefix, width))
    path = None if spec.kind == "listener" else spec.names.path
    return EndpointInfo(spec.name, spec.kind, spec.method, path, spec.port, files)
