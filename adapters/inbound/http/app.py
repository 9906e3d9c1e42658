"""Builds the Litestar application from use-case providers handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig

from adapters.inbound.http.controllers.analyze import AnalyzeController
from adapters.inbound.http.controllers.companies import CompanyController
from adapters.inbound.http.controllers.health import HealthController
from adapters.inbound.http.controllers.labelled_tickets import LabelledTicketController
from adapters.inbound.http.controllers.models import ModelRegistryController
from adapters.inbound.http.controllers.teams import TeamController
from adapters.inbound.http.controllers.training import TrainingStatusController
from adapters.inbound.http.errors import EXCEPTION_HANDLERS

CONTROLLERS = [
    AnalyzeController,
    CompanyController,
    TeamController,
    TrainingStatusController,
    LabelledTicketController,
    ModelRegistryController,
    HealthController,
]


def create_app(
    providers: Mapping[str, Callable[[], object]],
    max_body_bytes: int,
    on_startup: Sequence[Callable[[], object]] = (),
    on_shutdown: Sequence[Callable[[], object]] = (),
    extra_controllers: Sequence[type] = (),
) -> Litestar:
    """`providers` maps each handler parameter name (e.g. `analyze_ticket`) to a zero-argument factory."""
    return Litestar(
        route_handlers=[*CONTROLLERS, *extra_controllers],
        dependencies={name: Provide(factory, sync_to_thread=False) for name, factory in providers.items()},
        exception_handlers=dict(EXCEPTION_HANDLERS),
        request_max_body_size=max_body_bytes,
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
        openapi_config=OpenAPIConfig(title="ticket-utils", version="1.0.0", path="/schema"),
    )
