"""Litestar controllers; each only decodes, calls one use case and presents the result."""
