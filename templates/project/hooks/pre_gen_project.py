"""Refuse answers that would make a broken project, before any file is written.

The rules are declared in cookiecutter.json (``_rules``); fastml reads the same declaration
and checks it before it renders, so the template is as strict under plain cookiecutter as
under fastml.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_DFL)  # first: Ctrl-C stops the hook quietly

import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import unicodedata  # noqa: E402

ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})
RULES = ANSWERS["_rules"]


def problems():
    for key, value in ANSWERS.items():
        # A control character or a line separator would break the line it is written on.
        if isinstance(value, str) and not key.startswith("_"):
            if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
                yield f"{key}={value!r} contains control characters: give a plain value."
    name, slug = ANSWERS["project_name"], ANSWERS["project_slug"]
    if any(mark in name for mark in ('"', "\\", "/")):
        yield f"project_name={name!r} must not contain a double quote, a backslash or a slash."
    if not slug[:1].isalpha():
        yield f"project_name={name!r} gives the folder {slug!r}: start it with a letter."
    for key, rule in RULES["formats"].items():
        if not re.match(rule["pattern"], ANSWERS[key]):
            yield f"{key}={ANSWERS[key]!r} must be {rule['expected']}."
    for rule in RULES["requires"]:
        if all(ANSWERS[key] == value for key, value in rule["when"].items()):
            for key, allowed in rule["needs"].items():
                if ANSWERS[key] not in allowed:
                    when = " and ".join(f"{k}={v}" for k, v in rule["when"].items())
                    yield f"{when} needs {key} {' or '.join(allowed)}: {rule['because']}."


found = list(problems())
for problem in found:
    print(f"error: {problem}", file=sys.stderr)
sys.exit(1 if found else 0)
