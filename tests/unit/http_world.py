"""The real HTTP app and the real container wiring, with every port served by an in-memory fake."""

from __future__ import annotations

from dataclasses import dataclass

from dependency_injector import providers
from litestar import Litestar

from adapters.inbound.http.app import create_app
from bootstrap.container import Container, build_container
from bootstrap.http_use_cases import container_use_cases
from bootstrap.settings import load_settings
from domain.access import ApiKeyRing
from tests.settings_defaults import app_options, http_security
from tests.unit.fakes import (
    FakeClassifier,
    FakeEmbedder,
    FakeJobQueue,
    FakeModelStore,
    FakePasswordHasher,
    FakeRegistryChanges,
    FakeSentiment,
    FakeUnitOfWorkFactory,
    FixedClock,
)

SERVICE_KEY = "service-key-0123456789"
ADMIN_KEY = "admin-key-0123456789abc"
PASSWORD = "correct horse battery"


@dataclass
class HttpWorld:
    app: Litestar
    container: Container
    uow: FakeUnitOfWorkFactory
    hasher: FakePasswordHasher
    clock: FixedClock

    async def add_admin(self, username: str = "alice", password: str = PASSWORD) -> None:
        await self.container.create_admin_user().execute(username, password)


def http_world(keys: bool = True, cookie_secure: bool = False) -> HttpWorld:
    settings = load_settings(environ={"ANALYZE_TRAINING_THRESHOLD": "1000"}, env_file=None)
    container = build_container(settings)
    uow, hasher, clock = FakeUnitOfWorkFactory(), FakePasswordHasher(), FixedClock()
    container.uow_factory.override(providers.Object(uow))
    container.clock.override(providers.Object(clock))
    container.embedder.override(providers.Object(FakeEmbedder()))
    container.classifier.override(providers.Object(FakeClassifier()))
    container.sentiment.override(providers.Object(FakeSentiment()))
    container.job_queue.override(providers.Object(FakeJobQueue()))
    container.password_hasher.override(providers.Object(hasher))
    container.model_store.override(providers.Object(FakeModelStore()))
    container.registry_changes.override(providers.Object(FakeRegistryChanges()))
    ring = ApiKeyRing((SERVICE_KEY,), (ADMIN_KEY,)) if keys else ApiKeyRing()
    app = create_app(
        use_cases=container_use_cases(container),
        **app_options(security=http_security(api_keys=ring, cookie_secure=cookie_secure)),
    )
    return HttpWorld(app, container, uow, hasher, clock)
