"""Tidy the rendered project: no compiled Python, no folders the options left empty.

An installed template can hold ``__pycache__`` folders (pip byte-compiles every ``.py`` it
installs, templates included); they are not the owner's code, so they never ship.
Cookiecutter skips a file whose name renders empty, but not a folder; so each file of an
option renders to no name when the option is off, and this removes the folders left empty.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_DFL)  # first: Ctrl-C stops the hook quietly

import os  # noqa: E402
import shutil  # noqa: E402

for folder, subfolders, files in os.walk("."):
    if "__pycache__" in subfolders:
        shutil.rmtree(os.path.join(folder, "__pycache__"))
        subfolders.remove("__pycache__")
    for name in files:
        if name.endswith((".pyc", ".pyo")):
            os.remove(os.path.join(folder, name))

for folder, _, _ in sorted(os.walk("."), key=lambda entry: -len(entry[0])):
    if folder != "." and not os.listdir(folder):
        os.rmdir(folder)
