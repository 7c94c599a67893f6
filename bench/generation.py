"""Generation: `fastml new --no-input` against plain `cookiecutter --no-input` on the same
template, medians of interleaved runs: ``python bench/generation.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import tempfile
from pathlib import Path

from _common import interleaved_medians, print_table, time_once, tool, verdict

from fastml_scaffold.templates import template_dir

BASELINE = "cookiecutter --no-input"
TARGET = 1.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10, help="runs of each command")
    args = parser.parse_args()
    template = str(template_dir("project"))
    counter = itertools.count()

    with tempfile.TemporaryDirectory(prefix="fastml-bench-") as scratch:

        def fresh_dir() -> Path:
            # Each run writes into an empty folder, as a user's first run would.
            folder = Path(scratch) / str(next(counter))
            folder.mkdir()
            return folder

        def cookiecutter() -> float:
            out = fresh_dir()
            seconds = time_once([tool("cookiecutter"), "--no-input", template, "-o", str(out)])
            shutil.rmtree(out)
            return seconds

        def fastml() -> float:
            out = fresh_dir()
            seconds = time_once(
                [tool("fastml"), "new", "Iris Service", "--no-input", "-o", str(out)]
            )
            shutil.rmtree(out)
            return seconds

        medians = interleaved_medians(
            {BASELINE: cookiecutter, "fastml new --no-input": fastml}, args.repeat
        )

    ratio = medians["fastml new --no-input"] / medians[BASELINE]
    rows = [
        [BASELINE, f"{medians[BASELINE] * 1000:.0f} ms", "1.00x", ""],
        [
            "fastml new --no-input",
            f"{medians['fastml new --no-input'] * 1000:.0f} ms",
            f"{ratio:.2f}x",
            verdict(ratio, at_most=TARGET),
        ],
    ]
    print_table(
        f"Generation of templates/project, median of {args.repeat} runs "
        f"(ratio: against {BASELINE})",
        ["command", "median", "ratio", "target"],
        rows,
    )


if __name__ == "__main__":
    main()
