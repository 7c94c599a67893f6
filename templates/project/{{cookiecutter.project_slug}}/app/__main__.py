"""``python -m app`` (or the ``{{ cookiecutter.project_slug }}`` command) starts the server, as the
settings say (app/config.py); options given here win over them.  ``--help`` lists them."""

import argparse
import sys
from collections.abc import Sequence

import uvicorn
from pydantic import ValidationError

from app import SUMMARY, __version__
{%- if cookiecutter.auth == 'api_key' %}
from app.auth import NoKeysError, load_keys
{%- endif %}
from app.config import Settings
{%- if cookiecutter.json_logging == 'yes' %}
from app.log import log_config
{%- endif %}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description=SUMMARY or None,
        epilog="Every setting can also come from the environment: see app/config.py.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--host", help="interface to listen on (default: the HOST setting)")
    parser.add_argument("--port", type=int, help="port to listen on (default: PORT)")
    parser.add_argument("--workers", type=int, help="server processes (default: WORKERS)")
    parser.add_argument(
        "--reload", action="store_true", help="restart when the code changes (development)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    given = {"host": args.host, "port": args.port, "workers": args.workers}
    try:
        settings = Settings(**{name: value for name, value in given.items() if value is not None})
    except ValidationError as error:  # one line per bad setting, never its value
        sys.exit("\n".join(f"error: {e['loc'][0]}: {e['msg']}" for e in error.errors()))
{%- if cookiecutter.auth == 'api_key' %}
    try:
        load_keys(settings)  # here too, so that a missing key is one line, not a traceback
    except NoKeysError as error:
        sys.exit(f"error: {error}")
{%- endif %}
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=None if args.reload else settings.workers,
        reload=args.reload,
        log_level=settings.log_level,
{%- if cookiecutter.json_logging == 'yes' %}
        log_config=log_config(settings.log_level),
{%- endif %}
    )


if __name__ == "__main__":
    main()
