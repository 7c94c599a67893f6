"""Settings, read from environment variables (see ``env_prefix``) and from a ``.env`` file."""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BatchingSettings(BaseModel):
    """Micro-batching of /predict (app/serving.py): BATCHING__ENABLED=true and so on."""

    enabled: bool = Field(default=False, description="Predict waiting requests together.")
    max_batch_size: int = Field(default=64, ge=1, description="Most rows in one model call.")
    max_wait_ms: float = Field(
        default=0, ge=0, le=1000, description="Extra wait for a batch to fill; 0 never waits."
    )
    max_queue: int = Field(default=1024, ge=1, description="Requests that may wait; then 503.")


class Settings(BaseSettings):
    """Every knob of the service: set one with the variable env_prefix + its name in capitals."""

    model_config = SettingsConfigDict(
        env_prefix="{{ cookiecutter.env_prefix }}",
        env_file=".env",
        extra="ignore",
        env_nested_delimiter="__",  # BATCHING__ENABLED sets batching.enabled
        protected_namespaces=(),  # allow "model_path": it names the ML model, not pydantic's
    )

    # 0.0.0.0 listens on every network interface, so other machines and a container's host
    # can connect; 127.0.0.1 keeps a development server private.  Hence bandit's nosec.
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
    max_batch_size: int = Field(default=256, ge=1, description="Most instances in one request.")
    max_request_bytes: int = Field(default=1_048_576, ge=1, description="Larger bodies get 413.")
    body_timeout_s: float = Field(
        default=10.0, gt=0, description="Longest a client may take to send its body; then 408."
    )
    inference_timeout_s: float = Field(
        default=10.0, gt=0, description="Longest a prediction may take; then 504."
    )
    inference_threads: int = Field(
        default=1, ge=1, description="Predictions run at once, each in a worker thread."
    )
    max_concurrency: int = Field(
        default=4, ge=1, description="/predict requests served at once; the others wait."
    )
    batching: BatchingSettings = BatchingSettings()

    @property
    def admitted_at_once(self) -> int:
        """max_concurrency, raised when batching so that whole batches can form."""
        if not self.batching.enabled:
            return self.max_concurrency
        return max(self.max_concurrency, self.batching.max_batch_size * self.inference_threads)

    @classmethod
    def variable(cls, name: str) -> str:
        """The environment variable that sets ``name``: variable("model_path")."""
        return f"{cls.model_config.get('env_prefix', '')}{name.upper()}"
