"""Every error fastml reports to a user: one base class, caught once at the CLI edge.

A ``FastmlError`` is a user's mistake or a condition the user can fix; its message is one
line that says what to do.  Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


class FastmlError(Exception):
    """Base class of the errors that fastml explains to its user in one line."""


class InvalidNameError(FastmlError):
    """A project name that cannot become a safe folder name and distribution name."""


class TargetExistsError(FastmlError):
    """The folder to generate into already holds files, and ``--force`` was not given."""


class InvalidAnswerError(FastmlError):
    """An answer to a template question that is unknown or malformed."""


class ConfigFileError(FastmlError):
    """An answers file that is missing, unreadable or of the wrong shape."""


class TemplateError(FastmlError):
    """A template that cannot be found or rendered."""
