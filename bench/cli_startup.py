"""CLI start-up: `fastml --version` and `fastml --help` against `cookiecutter --help` and
`python -c pass`, medians of interleaved runs: ``python bench/cli_startup.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial

from _common import interleaved_medians, print_table, time_once, tool, verdict

BASELINE = "cookiecutter --help"
TARGETS = {"fastml --version": 0.5, "fastml --help": 0.75}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each command")
    args = parser.parse_args()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        BASELINE: [tool("cookiecutter"), "--help"],
        "fastml --version": [tool("fastml"), "--version"],
        "fastml --help": [tool("fastml"), "--help"],
    }
    medians = interleaved_medians(
        {name: partial(time_once, command) for name, command in commands.items()}, args.repeat
    )
    rows = [
        [
            name,
            f"{seconds * 1000:.0f} ms",
            f"{seconds / medians[BASELINE]:.2f}x",
            verdict(seconds / medians[BASELINE], at_most=TARGETS[name]) if name in TARGETS else "",
        ]
        for name, seconds in medians.items()
    ]
    print_table(
        f"CLI start-up, median of {args.repeat} runs (ratio: against {BASELINE})",
        ["command", "median", "ratio", "target"],
        rows,
    )


if __name__ == "__main__":
    main()
