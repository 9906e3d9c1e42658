"""The ticket-group contract over the in-memory fake, which the burst and emerging-topic unit tests stand on."""

from __future__ import annotations

import pytest

from tests.ticket_group_contract import TicketGroupContract
from tests.unit.fakes import FakeUnitOfWorkFactory


class TestFakeTicketGroups(TicketGroupContract):
    @pytest.fixture
    def uow_factory(self) -> FakeUnitOfWorkFactory:
        return FakeUnitOfWorkFactory()
