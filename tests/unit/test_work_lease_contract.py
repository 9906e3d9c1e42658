"""The work-lease contract over the in-memory fake, which the re-embedding unit tests stand on."""

from __future__ import annotations

import pytest

from tests.unit.fakes import FakeUnitOfWorkFactory
from tests.work_lease_contract import WorkLeaseContract


class TestFakeWorkLeases(WorkLeaseContract):
    @pytest.fixture
    def uow_factory(self) -> FakeUnitOfWorkFactory:
        return FakeUnitOfWorkFactory()
