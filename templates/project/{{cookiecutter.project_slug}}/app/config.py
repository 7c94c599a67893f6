"""Settings, read from environment variables (see ``env_prefix``) and from a ``.env`` file."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BatchingSettings(BaseModel):
    """Micro-batching of /predict (see app/inference.py): BATCHING__ENABLED=true and so on."""

    enabled: bool = Field(default=False, description="Predict concurrent requests together.")
    max_batch_size: int = Field(default=64, ge=1, description="Most rows in one model call.")
    max_wait_ms: float = Field(
        default=2.0, ge=0, le=1000, description="Longest wait for more requests to join a batch."
    )
    max_queue: int = Field(
        default=1024, ge=1, description="Requests that may wait; more are answered 503."
    )


class Settings(BaseSettings):
    """Every knob of the service: set one with the variable env_prefix + its name in capitals."""

    model_config = SettingsConfigDict(
        env_prefix="{{ cookiecutter.env_prefix }}",
        env_file=".env",
        extra="ignore",
        env_nested_delimiter="__",  # BATCHING__ENABLED sets batching.enabled
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
    max_request_bytes: int = Field(
        default=1_048_576, ge=1, description="Largest request body; larger ones get 413."
    )
    inference_timeout_s: float = Field(
        default=10.0, gt=0, description="Longest a prediction may take; slower ones get 504."
    )
    inference_threads: int = Field(
        default=1,
        ge=1,
        description="Predictions run at once, each in a worker thread; more contend for the GIL.",
    )
    max_concurrency: int = Field(
        default=4,
        ge=1,
        description="Requests processed at once (health checks skip the queue); the rest wait.",
    )
    batching: BatchingSettings = BatchingSettings()

    @property
    def admitted_at_once(self) -> int:
        """max_concurrency, raised when batching so that a whole batch can gather."""
        if not self.batching.enabled:
            return self.max_concurrency
        return max(self.max_concurrency, self.batching.max_batch_size * self.inference_threads)


@lru_cache
def get_settings() -> Settings:
    """The settings, read once; tests replace them with ``app.dependency_overrides``."""
    return Settings()
