"""One module per router; each defines ``router`` and ``app.main`` includes it."""
