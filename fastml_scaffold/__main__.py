"""``python -m fastml_scaffold`` runs the ``fastml`` command line."""

from fastml_scaffold.cli import main

if __name__ == "__main__":
    main()
