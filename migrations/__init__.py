"""Alembic migrations of the ticket-utils schema; run them with adapters.outbound.persistence.sqlalchemy.migrate."""
