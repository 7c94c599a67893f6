"""The questions of ``fastml new`` in a terminal.

Each answer is checked when it is given and asked again with the reason; a choice is taken
by its number or in any case, a yes/no by y or n; a counter shows the question's place among
those that will be asked.  In-process through the prompter's read and write functions, and
for real in a pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import sys
import time
from pathlib import Path

import pytest
from support import TOOLS

from fastml_scaffold.commands.new import new_project
from fastml_scaffold.errors import InvalidAnswerError
from fastml_scaffold.output import TerminalPrompter, interpret_answer
from fastml_scaffold.templates import Question, load_template

QUESTIONS = load_template("project").questions


class Terminal:
    """A person at a terminal, who types ``lines`` in turn; keeps what the screen shows."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        self.screen = ""

    def read(self, prompt: str) -> str:
        self.screen += prompt
        if not self.lines:
            raise EOFError  # as input() does at Ctrl-D
        line = self.lines.pop(0)
        self.screen += line + "\n"
        return line

    def write(self, text: str) -> None:
        self.screen += text + "\n"

    @property
    def prompter(self) -> TerminalPrompter:
        return TerminalPrompter(self.read, self.write)

    def places(self) -> list[str]:
        """The counters shown, in order: ``["1/12", "2/12", ...]``."""
        return re.findall(r"^\[(\d+/\d+)\]", self.screen, re.MULTILINE)


def answers_of(project: Path) -> dict[str, str]:
    record = json.loads((project / ".fastml.json").read_text(encoding="utf-8"))
    answers: dict[str, str] = record["answers"]
    return answers


def interview(tmp_path: Path, *lines: str, **given: str) -> tuple[Terminal, dict[str, str]]:
    """Run new_project with ``lines`` typed at its questions; the screen, and the answers."""
    terminal = Terminal(*lines)
    result = new_project("Iris Service", output_dir=tmp_path, answers=given, ask=terminal.prompter)
    return terminal, answers_of(result.project_dir)


# Reading an answer


@pytest.mark.parametrize(
    ("key", "typed", "meant"),
    [
        pytest.param("license", "", "MIT", id="empty-is-the-default"),
        pytest.param("license", "2", "Apache-2.0", id="choice-by-number"),
        pytest.param("license", " 4 ", "proprietary", id="number-with-spaces"),
        pytest.param("license", "apache-2.0", "Apache-2.0", id="choice-in-any-case"),
        pytest.param("license", "5", "5", id="number-out-of-range-is-refused-later"),
        pytest.param("license", "0", "0", id="numbers-start-at-one"),
        pytest.param("python_version", "3.12", "3.12", id="choice-by-name"),
        pytest.param("python_version", "1", "3.11", id="number-not-name"),
        pytest.param("docker", "y", "yes", id="y"),
        pytest.param("docker", "N", "no", id="N"),
        pytest.param("docker", "YES", "yes", id="YES"),
        pytest.param("docker", "No", "no", id="No"),
        pytest.param("kubernetes", "", "no", id="yes-no-default"),
        pytest.param("docker", "maybe", "maybe", id="neither-is-refused-later"),
        pytest.param("author_name", "  Ada Lovelace ", "Ada Lovelace", id="text-is-stripped"),
        pytest.param("author_name", "", "Your Name", id="text-default"),
    ],
)
def test_interpret_answer(key: str, typed: str, meant: str) -> None:
    assert interpret_answer(QUESTIONS[key], typed) == meant


# What the prompter shows


def ask(question: Question, *lines: str, problem: str | None = None) -> tuple[str, str]:
    terminal = Terminal(*lines)
    answer = terminal.prompter.ask(question, number=3, total=12, problem=problem)
    return answer, terminal.screen


def test_a_text_question_shows_its_place_and_default_on_one_line() -> None:
    answer, screen = ask(QUESTIONS["author_name"], "Ada")

    assert screen == "[3/12] Author name [Your Name]: Ada\n"
    assert answer == "Ada"


def test_a_choice_question_numbers_its_choices() -> None:
    answer, screen = ask(QUESTIONS["license"], "3")

    assert screen == (
        "[3/12] License\n  1) MIT  2) Apache-2.0  3) BSD-3-Clause  4) proprietary [MIT]: 3\n"
    )
    assert answer == "BSD-3-Clause"


@pytest.mark.parametrize(("key", "shown"), [("docker", "[Y/n]"), ("metrics", "[y/N]")])
def test_a_yes_no_question_shows_its_default_in_capitals(key: str, shown: str) -> None:
    _, screen = ask(QUESTIONS[key], "")

    assert screen == f"[3/12] {QUESTIONS[key].label} {shown}: \n"


def test_asked_again_the_reason_comes_first_and_the_choices_stay_on_screen() -> None:
    _, screen = ask(QUESTIONS["license"], "1", problem="answer: license='GPL' is not one of: …")

    assert screen == (
        "  answer: license='GPL' is not one of: …\n"
        "  1) MIT  2) Apache-2.0  3) BSD-3-Clause  4) proprietary [MIT]: 1\n"
    )


# The interview


def test_the_counter_counts_the_questions_that_will_be_asked(tmp_path: Path) -> None:
    terminal, _ = interview(tmp_path, *[""] * 13)

    # device is asked only of a PyTorch model, so the default interview has 13 questions.
    assert terminal.places() == [f"{n}/13" for n in range(1, 14)]


def test_choosing_pytorch_adds_the_device_question_to_the_count(tmp_path: Path) -> None:
    terminal, answers = interview(tmp_path, "", "", "", "", "", "pytorch", "auto", *[""] * 7)

    assert terminal.places() == [f"{n}/13" for n in range(1, 7)] + [f"{n}/14" for n in range(7, 15)]
    assert "[7/14] PyTorch device" in terminal.screen
    assert answers["device"] == "auto"


def test_answers_given_as_options_are_not_asked_or_counted(tmp_path: Path) -> None:
    terminal, answers = interview(
        tmp_path, *[""] * 11, description="Given.", author_email="ada@example.org"
    )

    assert terminal.places() == [f"{n}/11" for n in range(1, 12)]
    assert "Author email" not in terminal.screen
    assert answers["author_email"] == "ada@example.org"


def test_a_bad_email_is_asked_again_at_once_with_the_reason(tmp_path: Path) -> None:
    terminal, answers = interview(tmp_path, "", "Ada", "bob", "ada@example.org", *[""] * 10)

    assert (
        "[3/13] Author email [you@example.com]: bob\n"
        "  answer: author_email='bob' must be an email address.\n"
        "[3/13] Author email [you@example.com]: ada@example.org\n"
        "[4/13] First version"
    ) in terminal.screen
    assert answers["author_email"] == "ada@example.org"
    assert answers["author_name"] == "Ada"  # the answers before it are kept


@pytest.mark.parametrize(
    ("position", "key", "bad", "reason", "good", "kept"),
    [
        pytest.param(4, "version", "one", "must be a version like 0.1.0", "1.2.0", "1.2.0"),
        pytest.param(5, "python_version", "2.7", "is not one of: 3.11", "3", "3.13"),
        pytest.param(1, "description", "{{ cookiecutter }}", "template syntax", "Ok.", "Ok."),
    ],
)
def test_an_invalid_answer_is_asked_again(
    tmp_path: Path, position: int, key: str, bad: str, reason: str, good: str, kept: str
) -> None:
    before = [""] * (position - 1)
    after = [""] * (13 - position)
    terminal, answers = interview(tmp_path, *before, bad, good, *after)

    problem = terminal.screen.split(f"{bad}\n", 1)[1].splitlines()[0]
    assert reason in problem
    assert answers[key] == kept


def test_an_answer_that_clashes_with_an_earlier_one_is_asked_again(tmp_path: Path) -> None:
    # Python 3.13, then PyTorch on CUDA: its image has Python 3.12.
    terminal, answers = interview(
        tmp_path, "", "", "", "", "3.13", "pytorch", "cuda", "auto", *[""] * 7
    )

    assert (
        "  device=cuda needs python_version 3.11 or 3.12: its image builds on NVIDIA's CUDA image"
    ) in terminal.screen
    assert answers["device"] == "auto"
    assert answers["python_version"] == "3.13"


def test_kubernetes_without_docker_is_asked_again(tmp_path: Path) -> None:
    terminal, answers = interview(tmp_path, *[""] * 7, "n", "", "y", "n", "", "", "")

    assert "  kubernetes=yes needs docker=yes" in terminal.screen
    assert (answers["docker"], answers["kubernetes"]) == ("no", "no")


def test_an_answer_given_as_an_option_holds_the_questions_to_it(tmp_path: Path) -> None:
    # --set kubernetes=yes: docker must be yes; the questions before it are not to blame.
    terminal, answers = interview(tmp_path, *[""] * 7, "no", "yes", *[""] * 4, kubernetes="yes")

    assert terminal.screen.count("  kubernetes=yes needs docker=yes") == 1
    assert terminal.screen.count("A Dockerfile [Y/n]") == 2
    assert answers["docker"] == "yes"


def test_a_plain_function_is_asked_once_and_its_invalid_answer_stops_at_once(
    tmp_path: Path,
) -> None:
    asked: list[str] = []

    def answer(question: Question) -> str:
        asked.append(question.key)
        return "bob" if question.key == "author_email" else question.default

    with pytest.raises(InvalidAnswerError, match="must be an email address"):
        new_project("Iris Service", output_dir=tmp_path, ask=answer)

    assert asked == ["description", "author_name", "author_email"]
    assert list(tmp_path.iterdir()) == []


def test_end_of_input_at_a_question_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(EOFError):
        interview(tmp_path, "", "Ada")

    assert list(tmp_path.iterdir()) == []


# In a real terminal

try:
    import pty
except ImportError:  # Windows
    pty = None  # type: ignore[assignment]
needs_a_terminal = pytest.mark.skipif(pty is None, reason="no pseudo-terminals here")
# The console script, as a user runs it; ``python -m fastml_scaffold`` where it is not installed.
FASTML = (
    [str(TOOLS / "fastml")]
    if (TOOLS / "fastml").exists()
    else [sys.executable, "-m", "fastml_scaffold"]
)


class PseudoTerminal:
    """``fastml`` run in a pseudo-terminal of its own, as a person would run it."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes fastml, the terminal its own
            try:
                os.chdir(cwd)
                os.execv(FASTML[0], [*FASTML, *args])
            finally:
                os._exit(127)
        self.output = b""

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            self._check(deadline, f"{text!r} was never shown")
            if not self._read():
                raise AssertionError(f"fastml ended before showing {text!r}:\n{self.screen}")

    def finish(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self._read():
            self._check(deadline, "fastml did not end")
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)

    @property
    def screen(self) -> str:
        return self.output.decode(errors="replace").replace("\r\n", "\n")

    def _read(self) -> bool:
        """Read what the terminal shows, waiting a little; False once fastml closed it."""
        if not select.select([self.fd], [], [], 0.5)[0]:
            return True
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # EIO: fastml ended, and its terminal with it
            return False
        self.output += chunk
        return bool(chunk)

    def _check(self, deadline: float, what: str) -> None:
        if time.monotonic() > deadline:
            os.kill(self.pid, signal.SIGKILL)
            raise AssertionError(f"{what}:\n{self.screen}")


@needs_a_terminal
def test_new_in_a_terminal_asks_checks_and_uses_the_answers(tmp_path: Path) -> None:
    terminal = PseudoTerminal(["new", "Iris Service"], tmp_path)
    typed = ["", "Ada", "bob", "ada@example.org", "", "2", "PyTorch", "auto", "apache-2.0"]
    typed += ["N", "3", "", "y", "", "2"]
    terminal.type("".join(f"{line}\n" for line in typed))  # typed ahead, as people do

    assert terminal.finish() == 0, terminal.screen
    assert "  answer: author_email='bob' must be an email address.\n" in terminal.screen
    assert "[13/14] JSON logs with a request id [y/N]: " in terminal.screen
    assert "[14/14] Authentication" in terminal.screen
    expected = {
        "author_name": "Ada",
        "author_email": "ada@example.org",
        "python_version": "3.12",
        "model_framework": "pytorch",
        "device": "auto",
        "license": "Apache-2.0",
        "docker": "no",
        "ci": "none",
        "kubernetes": "no",
        "metrics": "yes",
        "json_logging": "no",
        "auth": "api_key",
    }
    answers = answers_of(tmp_path / "iris-service")
    assert {key: answers[key] for key in expected} == expected


@needs_a_terminal
@pytest.mark.parametrize(
    ("key", "code", "line"),
    [
        pytest.param("\x03", 130, "error: Interrupted: nothing was written.", id="ctrl-c"),
        pytest.param(
            "\x04", 1, "error: No answer: the input ended. Nothing was written.", id="ctrl-d"
        ),
    ],
)
def test_stopping_at_a_question_is_one_line_and_writes_nothing(
    tmp_path: Path, key: str, code: int, line: str
) -> None:
    terminal = PseudoTerminal(["new", "Iris Service"], tmp_path)
    terminal.wait_for("[1/13] One-line description")
    terminal.type(key)  # the terminal turns Ctrl-C into SIGINT, Ctrl-D into the input's end

    assert terminal.finish() == code
    assert "Traceback" not in terminal.screen
    last_line = re.sub(r"\x1b\[[0-9;]*m", "", terminal.screen).splitlines()[-1]  # no colours
    assert last_line == line
    assert list(tmp_path.iterdir()) == []
