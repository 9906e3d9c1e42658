"""/api/models and /api/training-runs: the model registry, manual promotion, and training runs."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_409_CONFLICT, HTTP_503_SERVICE_UNAVAILABLE

from adapters.inbound.http.bounds import MAX_PAGE, PathKey, bounded_query
from adapters.inbound.http.error_responses import GUARDED, WITH_ID, api_errors
from adapters.inbound.http.presenters import model_version_body, training_run_body
from adapters.inbound.http.schemas import ModelVersionBody, TrainingRunBody, TriggerBody
from application.use_cases.models import ActivateModel, ListModels
from application.use_cases.training_runs import GetTrainingRun, ListTrainingRuns
from application.use_cases.trigger_retraining import TriggerOutcome, TriggerRetraining

_TRIGGER_STATUS = {
    TriggerOutcome.QUEUED: HTTP_202_ACCEPTED,
    TriggerOutcome.ALREADY_RUNNING: HTTP_409_CONFLICT,
    TriggerOutcome.QUEUE_FAILED: HTTP_503_SERVICE_UNAVAILABLE,
    TriggerOutcome.NOT_DUE: HTTP_200_OK,
}
_TRIGGER_RESPONSES = {
    **api_errors(GUARDED),
    HTTP_200_OK: ResponseSpec(TriggerBody, description="Not started (`outcome` says why)."),
    HTTP_409_CONFLICT: ResponseSpec(TriggerBody, description="A training run is already running; `run_id` is it."),
    HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(TriggerBody, description="The job could not be queued; the run failed."),
}


class ModelRegistryController(Controller):
    path = "/api"
    tags = ["models"]

    @get("/models", responses=api_errors(GUARDED))
    async def list_models(self, list_models: NamedDependency[ListModels]) -> list[ModelVersionBody]:
        return [model_version_body(version) for version in await list_models.execute()]

    @post(
        "/models/{version_id:int}/activate",
        status_code=HTTP_200_OK,
        summary="Promote or roll back to a version",
        responses=api_errors(GUARDED, WITH_ID, (409,)),
    )
    async def activate(self, version_id: PathKey, activate_model: NamedDependency[ActivateModel]) -> ModelVersionBody:
        return model_version_body(await activate_model.execute(version_id))

    @post(
        "/training-runs",
        status_code=HTTP_202_ACCEPTED,
        summary="Start a training run now (one at a time)",
        responses=_TRIGGER_RESPONSES,
    )
    async def trigger(self, trigger_retraining: NamedDependency[TriggerRetraining]) -> Response[TriggerBody]:
        result = await trigger_retraining.execute(manual=True)
        return Response(TriggerBody(result.outcome.value, result.run_id), status_code=_TRIGGER_STATUS[result.outcome])

    @get("/training-runs", responses=api_errors(GUARDED, (400,)))
    async def list_runs(
        self,
        list_training_runs: NamedDependency[ListTrainingRuns],
        limit: Annotated[int, bounded_query(1, MAX_PAGE, "How many to return.")] = 50,
    ) -> list[TrainingRunBody]:
        return [training_run_body(run) for run in await list_training_runs.execute(limit)]

    @get("/training-runs/{run_id:int}", responses=api_errors(GUARDED, WITH_ID))
    async def get_run(self, run_id: PathKey, get_training_run: NamedDependency[GetTrainingRun]) -> TrainingRunBody:
        return training_run_body(await get_training_run.execute(run_id))
