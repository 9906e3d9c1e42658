"""One Protocol per port. Adapters implement them; use cases depend on nothing else."""
