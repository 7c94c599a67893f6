"""Settings, read from environment variables (see ``env_prefix``) and from a ``.env`` file."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service: set one with the variable env_prefix + its name in capitals."""

    model_config = SettingsConfigDict(
        env_prefix="{{ cookiecutter.env_prefix }}",
        env_file=".env",
        extra="ignore",
        protected_namespaces=(),  # allow "model_path": it names the ML model, not pydantic's
    )

    # 0.0.0.0 listens on every network interface: other machines, and the host of a container,
    # can reach the service.  "localhost" (127.0.0.1) accepts connections from this machine
    # only: inside a container nothing outside could connect, a classic "it runs but I can't
    # reach it".  Set HOST (with the prefix) to 127.0.0.1 to keep a development server private.
    # Listening on all interfaces is the point here, hence the nosec for bandit.
    host: str = "0.0.0.0"  # nosec B104
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, description="Server processes; each loads the model.")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    model_path: Path = Field(
        default=Path("models/{{ cookiecutter.model_file }}"), description="File written by python -m app.train."
    )
{%- if cookiecutter.model_framework == 'pytorch' %}
    device: Literal["cpu", "cuda", "auto"] = Field(
        default="{{ cookiecutter.device }}",
        description="Where the network runs: cpu, cuda (fail without a GPU) or auto.",
    )
{%- endif %}
    max_batch_size: int = Field(
        default=256, ge=1, description="Most instances one /predict request may carry."
    )


@lru_cache
def get_settings() -> Settings:
    """The settings, read once; tests replace them with ``app.dependency_overrides``."""
    return Settings()
