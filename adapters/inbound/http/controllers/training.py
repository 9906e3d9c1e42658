"""/api/training/status: the retraining trigger's counter and state."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from adapters.inbound.http.error_responses import GUARDED, api_errors
from adapters.inbound.http.presenters import training_status_body
from adapters.inbound.http.schemas import TrainingStatusBody
from application.use_cases.training_status import GetTrainingStatus


class TrainingStatusController(Controller):
    path = "/api/training"
    tags = ["training"]

    @get("/status", responses=api_errors(GUARDED))
    async def status(self, get_training_status: NamedDependency[GetTrainingStatus]) -> TrainingStatusBody:
        return training_status_body(await get_training_status.execute())
