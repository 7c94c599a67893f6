"""What the bench scripts share: timing commands side by side and printing the table.

Every figure is a median over repeated runs, and every ratio compares two figures measured
in the same run, interleaved, so a busy machine slows both sides alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv the script runs in: `make install` made it


def tool(name: str) -> str:
    """A console script of this virtualenv (fastml, cookiecutter), else the one on PATH."""
    candidate = BIN / name
    return str(candidate) if candidate.exists() else name


def time_once(command: Sequence[str], *, cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=quiet_env())
    return time.perf_counter() - started


def quiet_env() -> dict[str, str]:
    return {**os.environ, "PYTHONWARNINGS": "ignore", "NO_COLOR": "1"}


def interleaved_medians(
    runners: dict[str, Callable[[], float]], repeat: int, warmup: int = 1
) -> dict[str, float]:
    """Run each runner ``repeat`` times, round-robin, and return each one's median."""
    for _ in range(warmup):
        for run in runners.values():
            run()
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeat):
        for name, run in runners.items():
            samples[name].append(run())
    return {name: statistics.median(values) for name, values in samples.items()}


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True)))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def verdict(value: float, *, at_most: float | None = None, at_least: float | None = None) -> str:
    """'ok' or 'short' against a target, for the table's last column."""
    if at_most is not None:
        return f"{'ok' if value <= at_most else 'SHORT'} (target <= {at_most:g}x)"
    if at_least is not None:
        return f"{'ok' if value >= at_least else 'SHORT'} (target >= {at_least:g}x)"
    return ""
