"""Inbound adapters: HTTP, the job worker and the command line call use cases."""
