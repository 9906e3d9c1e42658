"""Outbound adapters: databases, models, queues and the clock, each behind an application port."""
