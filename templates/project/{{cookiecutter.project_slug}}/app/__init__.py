"""The serving application: settings, model, schemas, routers and the FastAPI app."""

from importlib.metadata import PackageNotFoundError, metadata

# Version and summary have one source, pyproject.toml, read back from the installed
# distribution, so /openapi.json always shows what was released.
try:
    _METADATA = metadata("{{ cookiecutter.project_slug }}")
    __version__ = _METADATA["Version"]
    SUMMARY = _METADATA["Summary"] or ""
except PackageNotFoundError:  # a source tree that was never installed: pip install -e .
    __version__ = "0+unknown"
    SUMMARY = ""
