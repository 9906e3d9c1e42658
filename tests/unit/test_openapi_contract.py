"""/schema describes every request and response the API really gives: each body it takes, each error answer in
the one {error, field} shape the handlers send (never Litestar's own {status_code, detail, extra}), and the
exact bounds of every id."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.unit.admin_routes import api_routes
from tests.unit.http_world import ADMIN_KEY, http_world

APP = http_world().app
MAX_KEY = 2**63 - 1
TAKES_A_BODY = {
    ("post", "/api/analyze"): "AnalyzeRequest",
    ("post", "/api/analyze/batch"): "AnalyzeBatchRequest",
    ("post", "/api/companies"): "CompanyCreate",
    ("patch", "/api/companies/{company_id}"): "CompanyPatch",
    ("post", "/api/companies/{company_id}/teams"): "TeamCreate",
    ("patch", "/api/teams/{team_id}"): "TeamPatch",
    ("post", "/api/tickets"): "LabelledTicketsIn",
    ("post", "/api/analyses/{analysis_id}/feedback"): "FeedbackIn",
}


def _document() -> dict[str, Any]:
    with TestClient(app=APP) as client:
        response = client.get("/schema/openapi.json")
        assert response.status_code == 200
        return response.json()


DOCUMENT = _document()
OPERATIONS = [
    (method, path, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if path.startswith("/api")
]


def _schema_ref(response: dict[str, Any]) -> str | None:
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


def _body_ref(operation: dict[str, Any]) -> str:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return schema.get("$ref") or schema["allOf"][0]["$ref"]


def test_every_endpoint_of_the_api_is_documented() -> None:
    documented = {f"{method.upper()} {re.sub(r'{[^}]+}', '1', path)}" for method, path, _ in OPERATIONS}
    assert documented == {str(case) for case in api_routes(APP)}


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: v if isinstance(v, str) else "")
def test_every_error_answer_is_documented_in_the_shape_sent(method: str, path: str, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    expected = {"401", "403", "503"}
    if operation.get("parameters") or "requestBody" in operation:
        expected.add("400")
    if "{" in path:
        expected.add("404")
    if "requestBody" in operation:
        expected.add("413")
    assert expected <= responses.keys()
    for status in expected - ({"503"} if path == "/api/training-runs" else set()):
        assert _schema_ref(responses[status]) == "#/components/schemas/ErrorBody", status


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: v if isinstance(v, str) else "")
def test_every_body_and_success_answer_has_a_schema(method: str, path: str, operation: dict[str, Any]) -> None:
    if (method, path) in TAKES_A_BODY:
        assert _body_ref(operation) == f"#/components/schemas/{TAKES_A_BODY[(method, path)]}"
    else:
        assert "requestBody" not in operation
    for status, response in operation["responses"].items():
        if status.startswith("2") and status != "204":
            assert response["content"]["application/json"]["schema"], (status, response)


def test_the_error_shape_is_error_and_an_optional_field() -> None:
    schema = DOCUMENT["components"]["schemas"]["ErrorBody"]
    assert schema["required"] == ["error"] and set(schema["properties"]) == {"error", "field"}
    assert "status_code" not in str(DOCUMENT["paths"]), "Litestar's own error shape is never sent"


def test_ids_are_documented_with_their_exact_bounds() -> None:
    parameters = [parameter for _, _, operation in OPERATIONS for parameter in operation.get("parameters", [])]
    ids = [parameter["schema"] for parameter in parameters if parameter["name"].endswith("_id")]
    assert ids and all((schema["minimum"], schema["maximum"]) == (1, MAX_KEY) for schema in ids)
    company_id = DOCUMENT["components"]["schemas"]["AnalyzeRequest"]["properties"]["company_id"]
    assert (company_id["minimum"], company_id["maximum"]) == (1, MAX_KEY)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/api/analyze", {"json": {"description": 1, "company_id": 1}}, 400),
        ("GET", "/api/companies/0", {}, 400),
        ("GET", "/api/companies/424242", {}, 404),
        ("POST", "/api/analyze", {"content": b"{" + b" " * 1_048_577 + b"}"}, 413),
    ],
)
def test_error_answers_match_the_documented_shape(method: str, path: str, kwargs: dict[str, Any], status: int) -> None:
    with TestClient(app=APP) as client:
        response = client.request(method, path, headers={"X-API-Key": ADMIN_KEY}, **kwargs)
    assert response.status_code == status
    body = response.json()
    assert isinstance(body["error"], str) and set(body) <= {"error", "field"}


def _field(schema: str, name: str) -> dict[str, Any]:
    return DOCUMENT["components"]["schemas"][schema]["properties"][name]


def _first(schema: dict[str, Any]) -> dict[str, Any]:
    """A field's keywords: its own and those of the one non-null type it allows (`oneOf` of an optional field,
    `$ref` of an enum)."""
    keywords = {key: value for key, value in schema.items() if key not in ("oneOf", "anyOf", "$ref")}
    if "$ref" in schema:
        return {**_first(DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]), **keywords}
    for union in ("oneOf", "anyOf"):
        if union in schema:
            (inner,) = [option for option in schema[union] if option.get("type") != "null"]
            return {**_first(inner), **keywords}
    return keywords


@pytest.mark.parametrize(
    ("schema", "name"),
    [
        ("AnalyzeRequest", "description"),
        ("CompanyCreate", "name"),
        ("TeamCreate", "name"),
        ("LabelledTicketIn", "text"),
        ("LabelledTicketIn", "category"),
        ("FeedbackIn", "category"),
    ],
)
def test_a_text_the_service_refuses_blank_is_documented_as_not_blank(schema: str, name: str) -> None:
    field = _first(_field(schema, name))
    assert (field["minLength"], field["pattern"]) == (1, r"\S")


def test_modes_bounds_and_list_sizes_are_documented_as_enforced() -> None:
    for schema in ("CompanyCreate", "CompanyPatch"):
        for name in ("category_mode", "team_mode"):
            assert _first(_field(schema, name))["enum"] == ["autofill", "recommend", "monitor"]
        target = _first(_field(schema, "target_precision"))
        assert (target["exclusiveMinimum"], target["maximum"]) == (0, 1) and "minimum" not in target
    assert _first(_field("AnalyzeBatchRequest", "tickets"))["minItems"] == 1
    tickets = _first(_field("LabelledTicketsIn", "tickets"))
    assert (tickets["minItems"], tickets["maxItems"]) == (1, 1_000)


def test_a_body_the_endpoint_can_do_without_is_documented_as_optional() -> None:
    for method, path, operation in OPERATIONS:
        if "requestBody" in operation:
            optional = (method, path) == ("post", "/api/analyses/{analysis_id}/feedback")
            assert operation["requestBody"]["required"] is not optional, (method, path)


def test_metrics_are_documented_and_answered_as_text_with_one_charset() -> None:
    assert set(DOCUMENT["paths"]["/metrics"]["get"]["responses"]["200"]["content"]) == {"text/plain"}
    with TestClient(app=APP) as client:
        content_type = client.get("/metrics").headers["content-type"]
    assert content_type.startswith("text/plain;") and content_type.count("charset=") == 1


@pytest.mark.parametrize("path", sorted({path for _, path, _ in OPERATIONS}))
def test_options_and_405_answers_allow_every_documented_method(path: str) -> None:
    documented = {method.upper() for method in DOCUMENT["paths"][path]} | {"OPTIONS"}
    concrete = re.sub(r"{[^}]+}", "1", path)
    with TestClient(app=APP) as client:
        options = client.options(concrete, headers={"X-API-Key": ADMIN_KEY})
        refused = client.request("PUT", concrete, headers={"X-API-Key": ADMIN_KEY})
    assert options.status_code == 204
    assert {method.strip() for method in options.headers["allow"].split(",")} == documented
    assert refused.status_code == 405
    assert {method.strip() for method in refused.headers["allow"].split(",")} == documented
