"""fastml: bootstrap production-grade FastAPI services for machine-learning models.

The public API, for use from Python as well as through the ``fastml`` command::

    from fastml_scaffold import new_project
    result = new_project("Iris Service", output_dir=Path("."))
"""

from __future__ import annotations

# Not `from typing import ...`: importing typing costs milliseconds of every start-up, in
# which a Ctrl-C would still end in a traceback (the CLI handles signals once it runs).
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = [
    "ConfigFileError",
    "FastmlError",
    "InvalidAnswerError",
    "InvalidNameError",
    "NewResult",
    "TargetExistsError",
    "TemplateError",
    "__version__",
    "derive_names",
    "new_project",
]

if TYPE_CHECKING:
    from typing import Any

    from fastml_scaffold.commands.new import NewResult, new_project
    from fastml_scaffold.errors import (
        ConfigFileError,
        FastmlError,
        InvalidAnswerError,
        InvalidNameError,
        TargetExistsError,
        TemplateError,
    )
    from fastml_scaffold.naming import derive_names

# Names resolved on first use, so `fastml --version` does not import the whole package.
_LAZY = {
    "NewResult": "fastml_scaffold.commands.new",
    "new_project": "fastml_scaffold.commands.new",
    "derive_names": "fastml_scaffold.naming",
    **dict.fromkeys(
        [
            "ConfigFileError",
            "FastmlError",
            "InvalidAnswerError",
            "InvalidNameError",
            "TargetExistsError",
            "TemplateError",
        ],
        "fastml_scaffold.errors",
    ),
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'fastml_scaffold' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
