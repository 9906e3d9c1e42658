"""The /admin router: pages behind the login guard, security headers, and the static files they use."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.datastructures import ResponseHeader
from litestar.static_files import create_static_files_router

from adapters.inbound.http.admin.controllers.analyses import AnalysisPagesController
from adapters.inbound.http.admin.controllers.companies import CompanyPagesController
from adapters.inbound.http.admin.controllers.dashboard import DashboardController
from adapters.inbound.http.admin.controllers.login import LoginController
from adapters.inbound.http.admin.controllers.mislabels import MislabelPagesController
from adapters.inbound.http.admin.controllers.models import ModelPagesController
from adapters.inbound.http.admin.controllers.review import ReviewQueueController
from adapters.inbound.http.admin.controllers.teams import TeamPagesController
from adapters.inbound.http.admin.controllers.tickets import (
    LabelledTicketPagesController,
    LabelledTicketUploadController,
)
from adapters.inbound.http.admin.controllers.topics import TopicPagesController
from adapters.inbound.http.admin.controllers.training import TrainingRunPagesController
from adapters.inbound.http.admin.errors import ADMIN_EXCEPTION_HANDLERS
from adapters.inbound.http.admin.guard import admin_page_guard

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""No inline script or style anywhere on the site, so an injected one would not run."""

SECURITY_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="Cache-Control", value="no-store"),
]


def admin_routers(max_upload_bytes: int) -> list[Router]:
    upload = Router(path="/", route_handlers=[LabelledTicketUploadController], request_max_body_size=max_upload_bytes)
    pages = Router(
        path="/admin",
        route_handlers=[
            LoginController,
            DashboardController,
            CompanyPagesController,
            TeamPagesController,
            AnalysisPagesController,
            ReviewQueueController,
            LabelledTicketPagesController,
            upload,
            MislabelPagesController,
            TopicPagesController,
            TrainingRunPagesController,
            ModelPagesController,
        ],
        guards=[admin_page_guard],
        exception_handlers=dict(ADMIN_EXCEPTION_HANDLERS),
        response_headers=SECURITY_HEADERS,
        include_in_schema=False,
    )
    static = create_static_files_router(path="/admin/static", directories=[STATIC_DIR], include_in_schema=False)
    return [pages, static]
