"""One module per command; each exposes a plain function that the CLI calls."""
