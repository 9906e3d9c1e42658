"""SQLAlchemy 2 (asyncio) persistence for MariaDB in production and SQLite for development and tests."""
