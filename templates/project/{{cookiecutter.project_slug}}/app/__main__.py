"""Start the server: ``python -m app``.

Host, port, workers and log level come from the settings (environment variables, see
app/config.py), so the same command serves in development and in a container.
"""

import uvicorn

from app.config import Settings
{%- if cookiecutter.json_logging == 'yes' %}
from app.log import log_config
{%- endif %}


def main() -> None:
    settings = Settings()
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
{%- if cookiecutter.json_logging == 'yes' %}
        log_config=log_config(settings.log_level),
{%- endif %}
    )


if __name__ == "__main__":
    main()
