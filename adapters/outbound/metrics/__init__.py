"""Monitoring adapters."""
