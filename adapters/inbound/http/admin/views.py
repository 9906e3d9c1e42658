"""Small conversions from domain objects to what templates show."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.inbound.http.admin.charts import VersionPoint
from domain.model_versions import ModelStatus, ModelVersion
from domain.routing import RoutingReason

ROUTING_EXPLAINED = {
    RoutingReason.CATEGORY_MATCH: "the predicted category is one a team owns, and the model was confident enough",
    RoutingReason.DERIVED_CATEGORY_MATCH: (
        "the team has no category, but the model reads its name and description as the predicted category"
    ),
    RoutingReason.SIMILARITY: "the ticket reads most like this team's description",
    RoutingReason.BELOW_SIMILARITY_THRESHOLD: "no team's description was similar enough: an admin must route it",
    RoutingReason.NO_TEAMS: "the company has no teams: an admin must route it",
}


def evaluation_of(version: ModelVersion) -> dict[str, Any]:
    """The version's evaluation on its test split (EvaluationReport.to_json), or {} before it has one."""
    test = version.metrics.get("test")
    return test if isinstance(test, dict) else {}


def number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def version_points(versions: Sequence[ModelVersion]) -> list[VersionPoint]:
    """Oldest first, for the accuracy-across-versions chart."""
    ordered = sorted(versions, key=lambda version: (version.created_at, version.id or 0))
    return [
        VersionPoint(
            f"#{version.id}",
            version.name,
            number(evaluation_of(version).get("accuracy")),
            number(evaluation_of(version).get("macro_f1")),
            version.status is ModelStatus.ACTIVE,
        )
        for version in ordered
    ]
