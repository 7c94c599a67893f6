"""The serving application: settings, model, schemas, routers and the FastAPI app."""

__version__ = {{ cookiecutter.version|tojson }}
