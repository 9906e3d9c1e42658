"""Inbound adapters driven by a timer rather than a request or a message."""
