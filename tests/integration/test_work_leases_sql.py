"""The work-lease contract on SQLite and MariaDB (the fixtures of test_sqlalchemy_repositories: a migrated
database, emptied before each test)."""

from __future__ import annotations

import pytest

from tests.integration.test_sqlalchemy_repositories import db_url, engine, mariadb_url, uow_factory
from tests.work_lease_contract import WorkLeaseContract

pytestmark = pytest.mark.integration

__all__ = ["db_url", "engine", "mariadb_url", "uow_factory"]


class TestSqlWorkLeases(WorkLeaseContract):
    """Every test of the contract, once per database."""
