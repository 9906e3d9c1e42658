"""Adapters: inbound ones drive the use cases, outbound ones implement the ports."""
