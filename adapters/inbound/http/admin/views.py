"""Small conversions from domain objects to what templates show."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.inbound.http.admin.charts import VersionPoint
from domain.model_versions import ModelStatus, ModelVersion
from domain.routing import RoutingReason

ROUTING_EXPLAINED = {
    RoutingReason.CATEGORY_MATCH: "the predicted category is one a team owns, and the model was confident enough",
    RoutingReason.DERIVED_CATEGORY_MATCH: (
        "the team has no category, but the model reads its name and description as the predicted category"
    ),
    RoutingReason.CATEGORIES_MATCH: (
        "no single category was sure enough, but the categories this team takes together were"
    ),
    RoutingReason.SIMILARITY: "the ticket reads most like this team's description",
    RoutingReason.BELOW_SIMILARITY_THRESHOLD: "no team's description was similar enough: an admin must route it",
    RoutingReason.NO_TEAMS: "the company has no teams: an admin must route it",
}


def version_points(versions: Sequence[ModelVersion]) -> list[VersionPoint]:
    """Oldest first, for the accuracy-across-versions chart."""
    ordered = sorted(versions, key=lambda version: (version.created_at, version.id or 0))
    return [
        VersionPoint(
            f"#{version.id}",
            version.name,
            test.accuracy if (test := version.metrics.test) is not None else None,
            test.macro_f1 if test is not None else None,
            version.status is ModelStatus.ACTIVE,
        )
        for version in ordered
    ]
