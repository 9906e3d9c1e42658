"""The ticket-vector contract over the in-memory fake, which the similar-ticket unit tests stand on."""

from __future__ import annotations

import pytest

from tests.ticket_vector_contract import TicketVectorContract
from tests.unit.fakes import FakeUnitOfWorkFactory


class TestFakeTicketVectors(TicketVectorContract):
    @pytest.fixture
    def uow_factory(self) -> FakeUnitOfWorkFactory:
        return FakeUnitOfWorkFactory()
