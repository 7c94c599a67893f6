"""``python -m app`` starts the server, as the settings say (app/config.py)."""

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
