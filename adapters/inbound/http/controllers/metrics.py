"""/metrics: Prometheus text exposition, open without a key like /health (scrapers rarely carry one)."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency

from application.use_cases.read_metrics import ReadMetrics


class MetricsController(Controller):
    path = "/metrics"
    tags = ["health"]

    @get("/", security=[{}], summary="Prometheus metrics, summed over every API process", media_type=MediaType.TEXT)
    async def metrics(self, read_metrics: NamedDependency[ReadMetrics]) -> Response[bytes]:
        """Documented as `text/plain`; the answer's Content-Type is the exposition format's own, charset included
        (given as a header, since Litestar appends a second charset to a text media type)."""
        page = await read_metrics.execute()
        return Response(page.body, media_type=MediaType.TEXT, headers={"content-type": page.content_type})
