"""The composition root: one threshold reaches every reader, and the HTTP handlers get the use cases they name."""

from __future__ import annotations

from dataclasses import astuple, replace

import pytest
from dependency_injector import providers

from adapters.inbound.http.app import create_app
from bootstrap.container import build_container
from bootstrap.http_use_cases import HttpUseCases, StartupCheckError
from bootstrap.settings import load_settings
from tests.unit.fakes import FakeUnitOfWorkFactory, FixedClock


async def test_the_trigger_policy_is_read_once_and_reaches_the_trigger_the_status_and_the_dashboard() -> None:
    environ = {"ANALYZE_TRAINING_THRESHOLD": "7", "RETRAIN_MIN_NEW_LABELS": "3"}
    container = build_container(load_settings(environ=environ, env_file=None))
    container.uow_factory.override(providers.Object(FakeUnitOfWorkFactory()))
    container.clock.override(providers.Object(FixedClock()))
    expected = (7, 3)
    assert astuple(container.trigger_policy())[:2] == expected
    assert astuple(container.retraining_trigger().policy)[:2] == expected
    assert astuple((await container.get_training_status().execute()).policy)[:2] == expected
    assert astuple((await container.get_dashboard().execute()).training.policy)[:2] == expected


def test_a_handler_given_another_use_case_than_it_names_stops_start_up() -> None:
    container = build_container(load_settings(environ={}, env_file=None))
    use_cases = HttpUseCases.from_container(container)
    use_cases.check_handlers(create_app(providers=use_cases.dependencies(), max_body_bytes=1024))
    crossed = replace(use_cases, get_company=container.list_companies)
    with pytest.raises(StartupCheckError, match="get_company is GetCompany, but ListCompanies is provided"):
        crossed.check_handlers(create_app(providers=crossed.dependencies(), max_body_bytes=1024))
