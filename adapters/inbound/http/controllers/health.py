from __future__ import annotations

from litestar.di import NamedDependency
from litestar import Controller, Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from application.use_cases.check_readiness import CheckReadiness


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/", sync_to_thread=False)
    def alive(self) -> dict[str, str]:
        return {"status": "alive"}

    @get("/ready")
    async def ready(self, check_readiness: NamedDependency[CheckReadiness]) -> Response[dict[str, object]]:
        readiness = await check_readiness.execute()
        body: dict[str, object] = {
            "status": "ready" if readiness.ready else "not ready",
            "database": readiness.database,
            "models": readiness.models,
            "broker": readiness.broker,
        }
        return Response(body, status_code=HTTP_200_OK if readiness.ready else HTTP_503_SERVICE_UNAVAILABLE)
