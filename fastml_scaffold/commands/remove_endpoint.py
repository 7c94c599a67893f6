"""``fastml remove-endpoint``: undo ``add-endpoint``, the same plan in reverse."""

from __future__ import annotations

from pathlib import Path

from fastml_scaffold.commands.add_endpoint import EndpointResult
from fastml_scaffold.endpoints import (
    MAIN,
    EndpointSpec,
    package_inits,
    registration,
    render_files,
    unregister,
)
from fastml_scaffold.errors import FastmlError
from fastml_scaffold.naming import derive_endpoint_names
from fastml_scaffold.plan import (
    Action,
    FileChange,
    OnConflict,
    apply_changes,
    plan_edit,
    plan_removal,
    refuse_conflicts,
)
from fastml_scaffold.project import RECORD_FILE, Project


def remove_endpoint(
    name: str,
    *,
    project: Path | None = None,
    on_conflict: OnConflict = OnConflict.ERROR,
    dry_run: bool = False,
) -> EndpointResult:
    """Remove the endpoint ``name`` that ``add-endpoint`` made: its files and its lines.

    A file changed since it was generated is the owner's work: a conflict, unless
    ``on_conflict`` says to remove it anyway (FORCE) or to keep it (SKIP).
    """
    found = Project.find(project or Path.cwd())
    root = found.root
    module = derive_endpoint_names(name).module
    spec = _recorded_spec(found, module, name)
    width = found.line_length()
    files = render_files(spec, found.env_prefix, width, auth=found.needs_api_key)

    main_text = found.read(MAIN)
    without = unregister(main_text, registration(spec), width)  # one line if it cannot
    changes = [
        *(plan_removal(root, path, text, on_conflict) for path, text in files.items()),
        *_empty_inits(root, spec, files),  # after the modules, so their package is empty by then
        plan_edit(MAIN, main_text, without, Action.SUBTRACT),
        plan_edit(
            Path(RECORD_FILE),
            found.text,
            found.with_endpoint(module, None).record_text(),
            Action.SUBTRACT,
        ),
    ]
    refuse_conflicts(changes)
    if not dry_run:
        apply_changes(root, changes)
    return EndpointResult(root, changes, dry_run)


def _recorded_spec(project: Project, module: str, name: str) -> EndpointSpec:
    endpoints = project.endpoints
    if module not in endpoints:
        made = ", ".join(sorted(endpoints)) or "none"
        raise FastmlError(
            f"No endpoint {name!r} was made by fastml add-endpoint in this project (made: {made})."
        )
    return EndpointSpec.from_record(endpoints[module])


def _empty_inits(root: Path, spec: EndpointSpec, files: dict[Path, str]) -> list[FileChange]:
    """The package ``__init__.py`` that add-endpoint made, once its package has no module."""
    changes = []
    for init, text in package_inits(spec).items():
        package = root / init.parent
        others = [
            module
            for module in package.glob("*.py")
            if module.name != "__init__.py" and module.relative_to(root) not in files
        ]
        init_path = root / init
        if not others and init_path.is_file() and init_path.read_bytes() == text.encode("utf-8"):
            changes.append(FileChange(init, Action.REMOVE, previous=text))
    return changes
