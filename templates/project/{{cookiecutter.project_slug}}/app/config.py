"""Settings, read from environment variables (see ``env_prefix``) and from a ``.env`` file."""

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
{%- if cookiecutter.auth == 'api_key' %}
    SecretStr,
{%- endif %}
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class BatchingSettings(BaseModel):
    """Micro-batching of /predict (app/serving.py): BATCHING__ENABLED=true and so on."""

    enabled: bool = Field(default=False, description="Predict waiting requests together.")
    max_batch_size: int = Field(default=64, ge=1, description="Rows that end a batch.")
    max_wait_ms: float = Field(default=0, ge=0, le=1000, description="Wait to fill a batch.")
    max_queue: int = Field(default=1024, ge=1, description="Requests that may wait; then 503.")


class Settings(BaseSettings):
    """Every knob of the service: set one with the variable env_prefix + its name in capitals."""

    model_config = SettingsConfigDict(
        env_prefix="{{ cookiecutter.env_prefix }}",
        env_file=".env",
        extra="ignore",
        env_nested_delimiter="__",  # BATCHING__ENABLED sets batching.enabled
        hide_input_in_errors=True,  # an invalid API_KEYS must not print the keys
    )

    # 0.0.0.0: reachable from other machines and a container's host (127.0.0.1: this one).
    host: str = "0.0.0.0"  # nosec B104
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, description="Server processes; each loads the model.")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    model_path: Path = Field(
        Path("models/{{ cookiecutter.model_file }}"),
        description="{{ 'The model fastml new --model copied here.' if cookiecutter._model else 'From app.train.' }}",
    )
{%- if cookiecutter.model_framework == 'pytorch' %}
    device: Literal["cpu", "cuda", "auto"] = Field(
        default="{{ cookiecutter.device }}",
        description="Where the network runs: cpu, cuda (fail without a GPU) or auto.",
    )
{%- endif %}
    max_request_bytes: int = Field(default=1_048_576, ge=1, description="Larger bodies get 413.")
    body_timeout_s: float = Field(default=10, gt=0, description="Time to send a body; then 408.")
    inference_timeout_s: float = Field(default=10, gt=0, description="Longest prediction; 504.")
    inference_threads: int = Field(default=1, ge=1, description="Predictions run at once.")
    max_concurrency: int = Field(default=4, ge=1, description="Requests served at once.")
    batching: BatchingSettings = BatchingSettings()
    docs_enabled: bool = Field(default=True, description="Serve /docs, /redoc, /openapi.json.")
    # Browser origins allowed to call the API (CORS): comma-separated, or a JSON list.
    cors_origins: Annotated[list[str], NoDecode] = Field(default=[], description="None: no CORS.")
{%- if cookiecutter.auth == 'api_key' %}
    # The keys that may call the API (app/auth.py): comma-separated or a JSON list, and/or a
    # file of one key per line, such as a mounted Kubernetes Secret.  Start-up fails with
    # none at all: the service is never open by mistake.
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default=[], description="Keys.")
    api_keys_file: Path | None = Field(default=None, description="A file of keys, one a line.")
{%- if cookiecutter.metrics == 'yes' %}
    metrics_need_key: bool = Field(default=False, description="/metrics asks for a key too.")
{%- endif %}
{%- endif %}

    @field_validator("cors_origins"{% if cookiecutter.auth == 'api_key' %}, "api_keys"{% endif %}, mode="before")
    @classmethod
    def _split_commas(cls, value: Any, info: ValidationInfo) -> Any:
        """``a,b`` or ``["a", "b"]`` from the environment; a list as it is."""
        if not isinstance(value, str):
            items = value
        elif value.strip().startswith("["):
            items = json.loads(value)
        else:
            items = [item.strip() for item in value.split(",") if item.strip()]
        if info.field_name == "cors_origins" and isinstance(items, list):
            return [str(item).rstrip("/") for item in items]  # an Origin never ends in /
        return items

    @property
    def admitted_at_once(self) -> int:
        """max_concurrency, raised when batching so that whole batches can form."""
        if not self.batching.enabled:
            return self.max_concurrency
        return max(self.max_concurrency, self.batching.max_batch_size * self.inference_threads)
