"""/metrics: Prometheus text exposition, open without a key like /health (scrapers rarely carry one)."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency

from application.use_cases.read_metrics import ReadMetrics


class MetricsController(Controller):
    path = "/metrics"
    tags = ["health"]

    @get("/", security=[{}], summary="Prometheus metrics, summed over every API process", include_in_schema=True)
    async def metrics(self, read_metrics: NamedDependency[ReadMetrics]) -> Response[bytes]:
        page = await read_metrics.execute()
        return Response(page.body, media_type=page.content_type)
