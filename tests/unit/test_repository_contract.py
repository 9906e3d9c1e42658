"""The repository contract over the in-memory fakes, so the use cases' unit tests stand on the same rules as SQL."""

from __future__ import annotations

import pytest

from tests.repository_contract import RepositoryContract
from tests.unit.fakes import FakeUnitOfWorkFactory


class TestFakeRepositories(RepositoryContract):
    @pytest.fixture
    def uow_factory(self) -> FakeUnitOfWorkFactory:
        return FakeUnitOfWorkFactory()
