"""The error answers each endpoint documents in /schema, all in the one shape `errors.py` sends.

Every error body is `{"error": "<what went wrong>"}`, plus `"field"` when one field is to blame. Litestar would
document its own `{"status_code", "detail", "extra"}` shape for 400, which this API never sends; a `responses`
entry for a status replaces Litestar's, so each handler lists the answers it can give with `api_errors(...)`.
"""

from __future__ import annotations

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from adapters.inbound.http.schemas import ErrorBody

_DESCRIPTIONS = {
    400: "Invalid input: `field` names the offending field (`description`, `tickets[2].text`, a path or query "
    "parameter, or `body` when the body as a whole is not a JSON object).",
    401: "Missing or unknown API key (only while API keys are configured). Carries `WWW-Authenticate`.",
    403: "A service key on a management endpoint, or an admin session without the X-CSRFToken header.",
    404: "The id names nothing: `Company not found.`, `Team not found.` and so on.",
    409: "The request clashes with the current state.",
    413: "The request body is larger than MAX_BODY_BYTES.",
    503: "The database cannot be reached; retry shortly.",
}
_EXAMPLES = {
    400: {"error": "description: must not be empty or whitespace only", "field": "description"},
    401: {"error": "Invalid API key."},
    403: {
        "error": "This endpoint needs an admin API key (ADMIN_API_KEYS) or an admin session; the key given is a "
        "service key."
    },
    404: {"error": "Company not found."},
    409: {"error": "A training run is already running."},
    413: {"error": "Request Entity Too Large"},
    503: {"error": "Database unavailable; please retry shortly."},
}

GUARDED = (401, 403, 503)
"""What every /api endpoint can answer: the key guard's refusals, and the database being down."""
WITH_ID = (400, 404)
"""An endpoint with an id in its path: the id out of bounds, or naming nothing."""
WITH_BODY = (400, 413)
"""An endpoint taking a JSON body."""


def api_errors(*groups: tuple[int, ...]) -> dict[int, ResponseSpec]:
    """`responses=` for a handler: e.g. `api_errors(GUARDED, WITH_ID, WITH_BODY)`."""
    statuses = sorted({status for group in groups for status in group})
    return {status: _spec(status) for status in statuses}


def _spec(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=ErrorBody,
        description=_DESCRIPTIONS[status],
        generate_examples=False,
        examples=[Example(summary=_DESCRIPTIONS[status].split(":")[0].split(".")[0], value=_EXAMPLES[status])],
    )
