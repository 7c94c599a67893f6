"""The serving application.  Its version and summary come from pyproject.toml."""

from importlib.metadata import PackageNotFoundError, metadata

try:
    _METADATA = metadata("{{ cookiecutter.project_slug }}")
    __version__ = _METADATA["Version"]
    SUMMARY = _METADATA["Summary"] or ""
except PackageNotFoundError:  # a source tree that was never installed: pip install -e .
    __version__ = "0+unknown"
    SUMMARY = ""
