from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from adapters.inbound.http.admin.charts import accuracy_chart_svg
from adapters.inbound.http.admin.rendering import page, redirect
from adapters.inbound.http.admin.trust_views import coverage_of, ece_of
from adapters.inbound.http.admin.views import evaluation_of, number, version_points
from adapters.inbound.http.bounds import PathKey
from application.use_cases.models import ActivateModel, GetModelStoreUsage, ListModels
from domain.model_versions import ModelStatus


class ModelPagesController(Controller):
    path = "/models"

    @get("/")
    async def models(
        self,
        request: Request[Any, Any, Any],
        list_models: NamedDependency[ListModels],
        get_model_store_usage: NamedDependency[GetModelStoreUsage],
    ) -> Template:
        versions = await list_models.execute()
        active = next((version for version in versions if version.status is ModelStatus.ACTIVE), None)
        rows = [
            {
                "version": version,
                "accuracy": number(evaluation_of(version).get("accuracy")),
                "macro_f1": number(evaluation_of(version).get("macro_f1")),
                "ece": ece_of(version.metrics),
                "coverage": coverage_of(version.metrics),
                # Activating a version older than the active one is a rollback; the page says so.
                "rollback": active is not None and version.created_at < active.created_at,
            }
            for version in versions
        ]
        chart = accuracy_chart_svg(version_points(versions))
        store = await get_model_store_usage.execute()
        return page(request, "models.html", rows=rows, active=active, chart=chart, store=store)

    @post("/{version_id:int}/activate")
    async def activate(
        self, request: Request[Any, Any, Any], version_id: PathKey, activate_model: NamedDependency[ActivateModel]
    ) -> Redirect:
        version = await activate_model.execute(version_id)
        message = f"Model {version.name} is now active; every API process serves it within a few seconds."
        return redirect(request, "/admin/models", ("success", message))
