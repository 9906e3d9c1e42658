from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from adapters.inbound.http.admin.rendering import page
from application.services.bursts import BurstWatch
from application.use_cases.dashboard import GetDashboard
from application.use_cases.decision_quality import GetDecisionQuality
from application.use_cases.review_queue import ListReviewQueue
from application.use_cases.team_derivations import ReadTeamDerivations


class DashboardController(Controller):
    path = "/"

    @get("/")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        get_dashboard: NamedDependency[GetDashboard],
        get_decision_quality: NamedDependency[GetDecisionQuality],
        list_review_queue: NamedDependency[ListReviewQueue],
        read_team_derivations: NamedDependency[ReadTeamDerivations],
        burst_watch: NamedDependency[BurstWatch],
    ) -> Template:
        summary = await get_dashboard.execute()
        active = summary.active_model
        quality = await get_decision_quality.execute()
        pending = (await list_review_queue.execute(limit=1)).total
        return page(
            request,
            "dashboard.html",
            summary=summary,
            active_test=active.metrics.test if active else None,
            quality=quality,
            review_total=pending,
            weak_teams=await read_team_derivations.weak(),
            derivation_limits=read_team_derivations.limits,
            burst_report=await burst_watch.current(),
        )
