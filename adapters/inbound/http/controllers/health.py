"""/health and /health/ready: liveness and readiness for probes, open without a key."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from adapters.inbound.http.schemas import AliveBody, ReadinessBody
from application.use_cases.check_readiness import CheckReadiness

NOT_READY = ResponseSpec(ReadinessBody, description="Not ready; the flags say which part is missing.")


class HealthController(Controller):
    """Open to probes without a key (`security=[{}]` says so in /schema)."""

    path = "/health"
    tags = ["health"]

    @get("/", sync_to_thread=False, security=[{}])
    def alive(self) -> AliveBody:
        return AliveBody("alive")

    @get("/ready", security=[{}], responses={HTTP_503_SERVICE_UNAVAILABLE: NOT_READY})
    async def ready(self, check_readiness: NamedDependency[CheckReadiness]) -> Response[ReadinessBody]:
        readiness = await check_readiness.execute()
        body = ReadinessBody(
            status="ready" if readiness.ready else "not ready",
            database=readiness.database,
            models=readiness.models,
            broker=readiness.broker,
        )
        return Response(body, status_code=HTTP_200_OK if readiness.ready else HTTP_503_SERVICE_UNAVAILABLE)
