"""What ``fastml new`` prints as next steps is the generated README's quick start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastml_scaffold.cli import app

CASES = {
    "defaults": [],
    "pytorch-cpu": ["--set", "model_framework=pytorch"],
    "pytorch-cuda": ["--set", "model_framework=pytorch", "--set", "device=cuda"],
    "custom-api-key": ["--set", "model_framework=custom", "--set", "auth=api_key"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_next_steps_are_the_readme_quick_start(case: str, chdir_tmp: Path) -> None:
    result = CliRunner().invoke(app, ["new", "Demo", "--no-input", *CASES[case]])
    assert result.exit_code == 0, result.output

    printed = result.stdout.split("Next steps:\n", 1)[1].splitlines()
    steps = [line.strip() for line in printed if line.strip()]
    readme = (chdir_tmp / "demo" / "README.md").read_text(encoding="utf-8")
    quick_start = re.search(r"## Quick start\n\n```bash\n(.*?)```", readme, re.S)

    assert steps[0] == "cd demo"
    assert quick_start is not None
    assert steps[1:] == quick_start.group(1).splitlines()
