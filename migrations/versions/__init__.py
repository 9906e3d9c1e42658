"""Migration scripts, oldest first by revision id."""
