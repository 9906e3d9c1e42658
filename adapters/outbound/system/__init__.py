"""Process-level adapters (time)."""
