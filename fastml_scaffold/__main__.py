"""Where the ``fastml`` command starts: its console script and ``python -m fastml_scaffold``.

Signals are handled first, before the command line loads (Typer takes most of the
start-up), so that Ctrl-C, SIGTERM or SIGHUP at any moment ends fastml with one line and
exit code 130, never a traceback.  Standard library only, until the command line loads.
"""

import sys

from fastml_scaffold import interrupts


def main() -> None:
    interrupts.handle(interrupts.stop_at_once)
    try:
        from fastml_scaffold.cli import main as run_command_line
    except KeyboardInterrupt:
        sys.stderr.write(f"error: {interrupts.INTERRUPTED}\n")
        raise SystemExit(130) from None
    run_command_line()


if __name__ == "__main__":
    main()
