"""Application services: collaborators that use cases share, never entry points of their own."""
