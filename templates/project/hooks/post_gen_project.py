"""Remove the folders that the chosen options left empty (.github/ without GitHub CI...).

Cookiecutter skips a file whose name renders empty, but not a folder; so each file of an
option renders to no name when the option is off, and this removes the folders left empty.
"""

import os

for folder, _, _ in sorted(os.walk("."), key=lambda entry: -len(entry[0])):
    if folder != "." and not os.listdir(folder):
        os.rmdir(folder)
