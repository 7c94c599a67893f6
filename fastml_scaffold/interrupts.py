"""Ctrl-C, SIGTERM and SIGHUP end fastml the same way: a ``KeyboardInterrupt``.

So ``finally:`` blocks clean up (staging folders, half-applied plans), and the CLI prints
one line and exits 130.  Standard library only: the CLI installs this before it loads Typer,
which takes most of its start-up, so that a signal then gives no traceback either.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

INTERRUPTED = "Interrupted: nothing was written."
# SIGTERM: kill, a container stopping; SIGHUP: a closed terminal (Windows has none).
_SIGNALS = [
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
]


def stop_at_once(signum: int, frame: object) -> None:
    """Stop as Ctrl-C does, with a KeyboardInterrupt."""
    raise KeyboardInterrupt


def stop_after_children(signum: int, frame: object) -> None:
    """Stop once the child processes are gone.  Cookiecutter runs the template's hooks as
    children that take milliseconds; the clean-up that the KeyboardInterrupt sets off must
    not race one still at work in the folder it removes.  A second signal stops at once."""
    handle(stop_at_once)
    while True:
        try:
            os.waitpid(-1, 0)
        except OSError:  # no child left (or Windows, which cannot wait for any child)
            break
    raise KeyboardInterrupt


# After the run: a signal would only turn its exit code into a death by signal.  The OS's
# own "ignore", as Python resets its own handlers to the default while it shuts down.
ignore = signal.SIG_IGN


def handle(handler: Callable[[int, object], None] | signal.Handlers) -> None:
    """Set ``handler`` for each signal that Python or fastml handles: one that the parent
    chose to ignore (nohup) stays ignored, and one a host program handles stays its own."""
    ours = (signal.SIG_DFL, signal.default_int_handler, stop_at_once, stop_after_children, ignore)
    for signum in _SIGNALS:
        if signal.getsignal(signum) in ours:
            try:
                signal.signal(signum, handler)
            except ValueError:  # imported in a thread: signals belong to that program
                return


@contextmanager
def held() -> Iterator[None]:
    """Hold Ctrl-C and its kin for a moment that must not be cut short (undoing a plan,
    removing a temporary folder); they arrive once it is over."""
    if (
        not hasattr(signal, "pthread_sigmask")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, set(_SIGNALS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder that is gone afterwards, even when a signal ends the run."""
    folder = None
    try:  # a signal held while the folder is made arrives as the hold ends: inside the try
        with held():
            folder = Path(tempfile.mkdtemp(prefix=prefix))
        yield folder
    finally:
        if folder is not None:
            with held():
                shutil.rmtree(folder, ignore_errors=True)
