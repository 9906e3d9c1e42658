"""The composition root: one threshold reaches every reader, and the HTTP handlers get the use cases they name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple

import pytest
from dependency_injector import providers
from litestar import Controller, get
from litestar.di import NamedDependency

from adapters.inbound.http.app import create_app
from adapters.inbound.http.security.sessions import RESOLVER_STATE_KEY
from adapters.inbound.http.use_case_dependencies import DeclaredUseCase
from application.use_cases.companies import GetCompany
from bootstrap.container import build_container
from bootstrap.http_use_cases import StartupCheckError, container_use_cases
from bootstrap.settings import load_settings
from tests.settings_defaults import app_options
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


def test_every_handler_gets_the_use_case_of_the_container_provider_named_like_its_parameter() -> None:
    container = build_container(load_settings(environ={}, env_file=None))
    serve, asked = container_use_cases(container), list[DeclaredUseCase]()

    def watched(declared: Sequence[DeclaredUseCase]) -> Mapping[str, Callable[[], object]]:
        asked.extend(declared)
        return serve(declared)

    app = create_app(use_cases=watched, **app_options(max_body_bytes=1024))
    assert len({declared.name for declared in asked}) > 30
    assert ("get_company", GetCompany) in {(declared.name, declared.wanted) for declared in asked}
    assert all(container.providers[declared.name].provides is declared.wanted for declared in asked)
    assert app.state[RESOLVER_STATE_KEY] is container.resolve_admin_session


def test_a_handler_given_another_use_case_than_it_names_stops_start_up() -> None:
    container = build_container(load_settings(environ={}, env_file=None))
    container.get_company = container.list_companies
    with pytest.raises(StartupCheckError, match="get_company is GetCompany, but ListCompanies is provided"):
        create_app(use_cases=container_use_cases(container), **app_options(max_body_bytes=1024))


class _Unprovided:
    async def execute(self) -> str:
        return "never"


class _ControllerWithAnUnprovidedUseCase(Controller):
    path = "/unprovided"

    @get("/")
    async def read(self, read_unprovided: NamedDependency[_Unprovided]) -> str:
        return await read_unprovided.execute()


def test_a_handler_asking_for_a_use_case_without_a_provider_stops_start_up_naming_both() -> None:
    container = build_container(load_settings(environ={}, env_file=None))
    with pytest.raises(StartupCheckError) as stopped:
        create_app(
            use_cases=container_use_cases(container),
            extra_controllers=[_ControllerWithAnUnprovidedUseCase],
            **app_options(max_body_bytes=1024),
        )
    assert str(stopped.value) == (
        "HTTP handlers and the container disagree: _ControllerWithAnUnprovidedUseCase.read asks for "
        "read_unprovided: _Unprovided, but bootstrap/container.py has no provider named read_unprovided"
    )
