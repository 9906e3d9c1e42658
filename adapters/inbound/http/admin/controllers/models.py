from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from adapters.inbound.http.admin.charts import accuracy_chart_svg
from adapters.inbound.http.admin.rendering import page, redirect
from adapters.inbound.http.admin.views import version_points
from adapters.inbound.http.bounds import PathKey
from application.use_cases.models import ActivateModel, GetModelStoreUsage, ListModels
from domain.model_versions import ModelStatus, ModelVersion


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
        rows = [_row(version, active) for version in versions]
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


def _row(version: ModelVersion, active: ModelVersion | None) -> dict[str, object]:
    test, calibration = version.metrics.test, version.metrics.calibration
    return {
        "version": version,
        "accuracy": test.accuracy if test is not None else None,
        "macro_f1": test.macro_f1 if test is not None else None,
        "ece": version.metrics.served_ece,
        "coverage": calibration.coverage if calibration is not None else None,
        # Activating a version older than the active one is a rollback; the page says so.
        "rollback": active is not None and version.created_at < active.created_at,
    }
