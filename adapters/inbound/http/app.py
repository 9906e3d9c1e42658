"""Builds the Litestar application; the use cases its handlers ask for come from the composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from adapters.inbound.http.admin.filters import register_filters
from adapters.inbound.http.admin.router import TEMPLATES_DIR, admin_routers
from adapters.inbound.http.body import TypedJsonRequest
from adapters.inbound.http.controllers.analyze import AnalyzeController
from adapters.inbound.http.controllers.companies import CompanyController
from adapters.inbound.http.controllers.health import HealthController
from adapters.inbound.http.controllers.labelled_tickets import LabelledTicketController
from adapters.inbound.http.controllers.metrics import MetricsController
from adapters.inbound.http.controllers.models import ModelRegistryController
from adapters.inbound.http.controllers.review_queue import ReviewQueueController
from adapters.inbound.http.controllers.similar_tickets import SimilarTicketsController
from adapters.inbound.http.controllers.teams import TeamController
from adapters.inbound.http.controllers.training import TrainingStatusController
from adapters.inbound.http.errors import EXCEPTION_HANDLERS
from adapters.inbound.http.openapi_fixes import allow_every_method
from adapters.inbound.http.security.api_guard import SECURITY_STATE_KEY, api_access_guard
from adapters.inbound.http.security.config import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, HttpSecurity
from adapters.inbound.http.security.secure_cookies import SecureCookiesMiddleware
from adapters.inbound.http.security.sessions import RESOLVER_STATE_KEY, SESSION_GUARD_USE_CASE
from adapters.inbound.http.use_case_dependencies import UseCaseSource, declared_use_cases, litestar_dependencies

CONTROLLERS = [
    AnalyzeController,
    CompanyController,
    TeamController,
    TrainingStatusController,
    LabelledTicketController,
    ModelRegistryController,
    ReviewQueueController,
    HealthController,
    MetricsController,
    SimilarTicketsController,
]

CSRF_EXEMPT = ["^/api/", "^/health", "^/schema"]
"""API clients authenticate with a header, which a foreign site cannot make a browser send; a cookie-authenticated
API call is checked by the API guard instead (it must echo the CSRF token in a header)."""


def create_app(
    use_cases: UseCaseSource,
    max_body_bytes: int,
    max_upload_bytes: int,
    security: HttpSecurity,
    on_startup: Sequence[Callable[[], object]] = (),
    on_shutdown: Sequence[Callable[[], object]] = (),
    extra_controllers: Sequence[type] = (),
) -> Litestar:
    """`use_cases` serves every use case a handler asks for (`analyze_ticket: NamedDependency[AnalyzeTicket]`)
    and the one the admin session guard needs; it raises, and nothing starts, when it cannot serve one.

    `security` carries the API keys and the secret for sessions and CSRF.
    """
    route_handlers: list[ControllerRouterHandler] = [*CONTROLLERS, *extra_controllers, *admin_routers(max_upload_bytes)]
    factories = use_cases([*declared_use_cases(route_handlers), SESSION_GUARD_USE_CASE])
    session = CookieBackendConfig(
        secret=security.session_key(),
        key=SESSION_COOKIE,
        max_age=security.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=security.cookie_secure,
    )
    csrf = CSRFConfig(
        secret=security.csrf_secret(),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=security.cookie_secure,
        exclude=CSRF_EXEMPT,
    )
    return Litestar(
        route_handlers=route_handlers,
        dependencies=litestar_dependencies(factories),
        exception_handlers=dict(EXCEPTION_HANDLERS),
        before_send=[allow_every_method],
        guards=[api_access_guard],
        middleware=[DefineMiddleware(SecureCookiesMiddleware, always=security.cookie_secure), session.middleware],
        csrf_config=csrf,
        template_config=TemplateConfig(
            directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=register_filters
        ),
        state=State({SECURITY_STATE_KEY: security, RESOLVER_STATE_KEY: factories[SESSION_GUARD_USE_CASE.name]}),
        request_max_body_size=max_body_bytes,
        # Decodes each JSON body strictly into the handler's `data` type: a bad body is a 400 naming its field.
        request_class=TypedJsonRequest,
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
        openapi_config=OpenAPIConfig(
            title="ticket-utils",
            version="1.0.0",
            path="/schema",
            components=Components(security_schemes=dict(API_KEY_SCHEMES)),
            security=[{"ApiKeyHeader": []}, {"BearerKey": []}],
        ),
    )


API_KEY_SCHEMES: dict[str, SecurityScheme] = {
    "ApiKeyHeader": SecurityScheme(
        type="apiKey",
        name="X-API-Key",
        security_scheme_in="header",
        description="A key from SERVICE_API_KEYS (/api/analyze, feedback) or ADMIN_API_KEYS (everything); "
        "required only when keys are configured.",
    ),
    "BearerKey": SecurityScheme(
        type="http", scheme="bearer", description="The same key as 'Authorization: Bearer <key>'."
    ),
}
