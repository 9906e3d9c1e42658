"""The composition root: one threshold reaches every reader, and the HTTP handlers get the use cases they name."""

from __future__ import annotations

from dataclasses import replace

import pytest
from dependency_injector import providers

from adapters.inbound.http.app import create_app
from bootstrap.container import build_container
from bootstrap.http_use_cases import HttpUseCases, StartupCheckError
from bootstrap.settings import load_settings
from tests.unit.fakes import FakeUnitOfWorkFactory, FixedClock


async def test_the_threshold_is_read_once_and_reaches_the_trigger_the_status_and_the_dashboard() -> None:
    container = build_container(load_settings(environ={"ANALYZE_TRAINING_THRESHOLD": "7"}, env_file=None))
    container.uow_factory.override(providers.Object(FakeUnitOfWorkFactory()))
    container.clock.override(providers.Object(FixedClock()))
    assert container.trigger_policy().threshold == 7
    assert container.retraining_trigger().policy.threshold == 7
    assert (await container.get_training_status().execute()).threshold == 7
    assert (await container.get_dashboard().execute()).training.threshold == 7


def test_a_handler_given_another_use_case_than_it_names_stops_start_up() -> None:
    container = build_container(load_settings(environ={}, env_file=None))
    use_cases = HttpUseCases.from_container(container)
    use_cases.check_handlers(create_app(providers=use_cases.dependencies(), max_body_bytes=1024))
    crossed = replace(use_cases, get_company=container.list_companies)
    with pytest.raises(StartupCheckError, match="get_company is GetCompany, but ListCompanies is provided"):
        crossed.check_handlers(create_app(providers=crossed.dependencies(), max_body_bytes=1024))
