"""Persistence adapters: implementations of the repository and unit-of-work ports."""
