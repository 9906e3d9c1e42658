"""The review queue, the decisions on the analysis pages, decision quality on the dashboard and the companies'
decision settings: on the real app and wiring with in-memory fakes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from domain.analysis import AnalysisDecisions, TicketAnalysis
from domain.companies import Company, Team
from domain.decision_policy import DecisionMode
from domain.decisions import CategoryReason, Decision
from domain.labelled_tickets import LabelledTicket, TicketStatus
from domain.model_versions import ModelStatus, ModelVersion
from domain.predictions import CategoryPrediction, LabelScore
from domain.priority import Priority
from domain.routing import RoutingReason, TeamAssignment
from tests.unit.admin_session import log_in, logged_in, page_token
from tests.unit.http_world import http_world

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORLD = http_world()
NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>"
IDS: dict[str, int] = {}


def _analysis(
    company_id: int,
    text: str,
    label: str,
    minutes: int,
    *,
    pending: bool = True,
    team_id: int | None = None,
    reasons: tuple[str, ...] = (),
    alternatives: tuple[LabelScore, ...] = (),
    decision: Decision = Decision.REVIEW,
) -> TicketAnalysis:
    reason = CategoryReason.UNCALIBRATED_MODEL if decision is Decision.REVIEW else CategoryReason.ABOVE_THRESHOLD
    return TicketAnalysis(
        company_id,
        text,
        CategoryPrediction(label, 0.61, "zero-shot", alternatives, None, reasons),
        Priority.HIGH,
        -0.4,
        TeamAssignment(None, True, 0.7, RoutingReason.SIMILARITY),
        "zero-shot",
        NOW + timedelta(minutes=minutes),
        decisions=AnalysisDecisions(decision, reason, Decision.REVIEW, team_id, review_pending=pending),
    )


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def admin() -> AsyncIterator[AsyncTestClient]:
    await WORLD.add_admin()
    async with WORLD.uow() as unit:
        acme = await unit.companies.add(Company(None, "Acme"))
        other = await unit.companies.add(Company(None, "Other Co"))
        assert acme.id is not None and other.id is not None
        desk = await unit.teams.add(Team(None, acme.id, "Printer desk", "Printing", "printers and toner"))
        await unit.model_versions.add(
            ModelVersion("v-live", "m/v-live", ("Hardware", "Network", "Printing"), ModelStatus.ACTIVE, NOW)
        )
        runner_ups = (LabelScore("Network", 0.2), LabelScore(HOSTILE, 0.1))
        rows = {
            "oldest": _analysis(
                acme.id,
                "The printer jams on every page",
                "Printing",
                1,
                team_id=desk.id,
                reasons=("printer", "jams"),
                alternatives=runner_ups,
            ),
            "hostile": _analysis(
                acme.id, f"{HOSTILE} my printer", "Hardware", 2, reasons=("printer",), alternatives=runner_ups
            ),
            "other": _analysis(other.id, "VPN drops every hour", "Network", 3),
            "to_confirm": _analysis(acme.id, "Toner is empty again", "Printing", 4),
            "to_correct": _analysis(acme.id, "Wifi down in room 4", "Printing", 5),
            "to_relabel": _analysis(acme.id, "Payroll export fails", "Hardware", 6),
            "refused": _analysis(acme.id, "Screen flickers", "Hardware", 7),
            "automatic": _analysis(
                acme.id, "Laptop will not boot", "Hardware", 0, pending=False, decision=Decision.AUTO
            ),
        }
        for name, analysis in rows.items():
            stored = await unit.analyses.add(analysis)
            IDS[name] = stored.id or 0
        # A label from feedback that the active model does not know: the dashboard asks for a retraining.
        await unit.labelled_tickets.add_many([LabelledTicket("old ticket", "Facilities", "feedback", NOW)])
        await unit.commit()
    IDS.update(acme_co=acme.id, other_co=other.id)
    async with logged_in(WORLD.app) as client:
        yield client


async def _pending(analysis_id: int) -> bool:
    async with WORLD.uow() as unit:
        analysis = await unit.analyses.get(analysis_id)
    assert analysis is not None
    return analysis.decisions.review_pending


async def _feedback(analysis_id: int) -> LabelledTicket | None:
    async with WORLD.uow() as unit:
        ticket_id = await unit.analyses.feedback_ticket_id(analysis_id)
        return await unit.labelled_tickets.get(ticket_id) if ticket_id is not None else None


async def test_the_queue_lists_pending_analyses_oldest_first_with_what_the_model_said(admin: AsyncTestClient) -> None:
    response = await admin.get("/admin/review")
    assert response.status_code == 200
    html = response.text
    shown = [int(found) for found in re.findall(r'<article class="card review-item" id="review-(\d+)"', html)]
    assert shown[:3] == [IDS["oldest"], IDS["hostile"], IDS["other"]] and IDS["automatic"] not in shown
    oldest = html.split(f'id="review-{IDS["oldest"]}"')[1].split("</article>")[0]
    assert "Printing" in oldest and "61.0 %" in oldest and "Network" in oldest and "20.0 %" in oldest
    assert "uncalibrated_model" in oldest and "does not trust it" in oldest
    assert "The <mark>printer</mark> <mark>jams</mark> on every page" in oldest
    assert ">Printer desk</a>" in oldest and 'class="badge high"' in oldest
    assert re.search(r'<option value="Hardware">Hardware</option>', oldest), "the active model's labels"
    assert re.search(r"Review queue \(\d+\)</a>", html), "the nav shows how many wait"


async def test_the_queue_filters_by_company_and_label(admin: AsyncTestClient) -> None:
    by_company = (await admin.get("/admin/review", params={"company_id": str(IDS["other_co"])})).text
    assert re.findall(r'id="review-(\d+)"', by_company) == [str(IDS["other"])]
    assert "1 analysis waiting for review" in by_company
    by_label = (await admin.get("/admin/review", params={"label": "network"})).text
    assert re.findall(r'id="review-(\d+)"', by_label) == [str(IDS["other"])]
    nothing = (await admin.get("/admin/review", params={"label": "No such label"})).text
    assert 'id="review-empty"' in nothing and "with this filter" in nothing


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"company_id": "abc"}, "company_id"),
        ({"company_id": str(2**63)}, "company_id"),
        ({"label": "x" * 101}, "label"),
    ],
)
async def test_a_bad_filter_is_a_400_naming_the_field(
    admin: AsyncTestClient, params: dict[str, str], field: str
) -> None:
    response = await admin.get("/admin/review", params=params)
    assert response.status_code == 400 and f'id="{field}-error"' in response.text


async def test_a_page_past_any_store_is_a_400(admin: AsyncTestClient) -> None:
    response = await admin.get("/admin/review", params={"page": str(2**63)})
    assert response.status_code == 400 and "page: must be at most" in response.text


async def test_confirming_records_the_prediction_as_the_admin_and_leaves_the_queue(admin: AsyncTestClient) -> None:
    analysis_id = IDS["to_confirm"]
    form = {"_csrf_token": await page_token(admin), "label": "printing", "company_id": str(IDS["acme_co"])}
    response = await admin.post(f"/admin/review/{analysis_id}/confirm", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/review?company_id={IDS['acme_co']}&label=printing"
    page = await admin.get(response.headers["location"])
    assert f"Confirmed analysis #{analysis_id} as “Printing”." in page.text
    assert f'id="review-{analysis_id}"' not in page.text
    ticket = await _feedback(analysis_id)
    assert ticket is not None and ticket.category == "Printing" and ticket.status is TicketStatus.ACTIVE
    assert ticket.status_changed_by == "admin:alice" and not await _pending(analysis_id)


async def test_correcting_with_a_known_label_records_it(admin: AsyncTestClient) -> None:
    analysis_id = IDS["to_correct"]
    form = {"_csrf_token": await page_token(admin), "category": "Network"}
    response = await admin.post(f"/admin/review/{analysis_id}/correct", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/review"
    assert f"Corrected analysis #{analysis_id} as “Network”." in (await admin.get("/admin/review")).text
    ticket = await _feedback(analysis_id)
    assert ticket is not None and ticket.category == "Network" and ticket.status_changed_by == "admin:alice"
    assert not await _pending(analysis_id)


async def test_an_admin_may_type_a_new_label(admin: AsyncTestClient) -> None:
    analysis_id = IDS["to_relabel"]
    form = {"_csrf_token": await page_token(admin), "category": "Network", "new_category": "  Payroll  "}
    response = await admin.post(f"/admin/review/{analysis_id}/correct", data=form, follow_redirects=False)
    assert response.status_code == 303
    ticket = await _feedback(analysis_id)
    assert ticket is not None and ticket.category == "Payroll"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "choose a label or type a new one"),
        ({"new_category": "y" * 101}, "must be at most 100 characters"),
    ],
)
async def test_a_bad_label_is_shown_on_its_row_and_records_nothing(
    admin: AsyncTestClient, form: dict[str, str], message: str
) -> None:
    analysis_id = IDS["refused"]
    data = {"_csrf_token": await page_token(admin), "company_id": str(IDS["acme_co"]), **form}
    response = await admin.post(f"/admin/review/{analysis_id}/correct", data=data, follow_redirects=False)
    assert response.status_code == 400
    assert f'id="category-error-{analysis_id}">{message}' in response.text
    assert 'aria-invalid="true"' in response.text and f'id="review-{analysis_id}"' in response.text
    assert await _pending(analysis_id) and await _feedback(analysis_id) is None


@pytest.mark.parametrize("action", ["confirm", "correct"])
async def test_an_action_without_the_csrf_token_is_refused(admin: AsyncTestClient, action: str) -> None:
    analysis_id = IDS["refused"]
    response = await admin.post(
        f"/admin/review/{analysis_id}/{action}", data={"category": "Network"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert await _pending(analysis_id) and await _feedback(analysis_id) is None


async def test_an_action_on_an_unknown_analysis_is_the_not_found_page(admin: AsyncTestClient) -> None:
    response = await admin.post("/admin/review/999999/confirm", data={"_csrf_token": await page_token(admin)})
    assert response.status_code == 404 and "Analysis 999999 does not exist" in response.text


async def test_the_review_pages_escape_hostile_text_and_labels(admin: AsyncTestClient) -> None:
    for path in ["/admin/review", f"/admin/analyses/{IDS['hostile']}", "/admin/analyses"]:
        html = (await admin.get(path)).text
        assert HOSTILE not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    review = (await admin.get("/admin/review")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; my <mark>printer</mark>" in review


async def test_the_analysis_page_shows_its_decisions_reason_words_and_suggested_team(admin: AsyncTestClient) -> None:
    html = (await admin.get(f"/admin/analyses/{IDS['oldest']}")).text
    decision = html.split('id="category-decision"')[1].split("</dl>")[0]
    assert 'class="badge decision-review">review<' in decision and "waiting for review" in decision
    assert "uncalibrated_model" in decision and "<mark>printer</mark>" in decision and "<mark>jams</mark>" in decision
    assert re.search(r'id="suggested-team"><a href="/admin/teams/\d+">Printer desk</a>', html)
    assert re.search(r'id="team-decision"><span class="badge decision-review">review', html)
    assert "The <mark>printer</mark> <mark>jams</mark> on every page" in html
    automatic = (await admin.get(f"/admin/analyses/{IDS['automatic']}")).text
    assert 'class="badge decision-auto">auto<' in automatic and "waiting for review" not in automatic


async def test_the_analyses_list_shows_the_decisions(admin: AsyncTestClient) -> None:
    html = (await admin.get("/admin/analyses")).text
    assert 'class="badge decision-auto">auto<' in html and 'class="badge decision-review">review<' in html
    assert "uncalibrated model" in html and "<mark>jams</mark>" in html


async def test_the_dashboard_shows_decision_quality_and_warns_of_unknown_labels(admin: AsyncTestClient) -> None:
    async with WORLD.uow() as unit:
        counts = {row.label: row for row in await unit.decision_quality.per_label()}
    html = (await admin.get("/admin/")).text
    table = html.split('id="decision-quality-table"')[1].split("</table>")[0]
    hardware = counts["Hardware"]
    assert re.search(rf"<td>Hardware</td>\s*<td>{hardware.analyses}</td>\s*<td>1</td>", table)
    assert "no feedback yet" in table
    warning = html.split('id="unknown-labels"')[1].split("</div>")[0]
    assert "does not know" in warning and "“Facilities”" in warning and "retrain" in warning


async def test_the_dashboard_has_no_warning_when_the_model_knows_every_label() -> None:
    world = http_world()
    await world.add_admin()
    async with AsyncTestClient(app=world.app) as client:
        await log_in(client)
        html = (await client.get("/admin/")).text
    assert 'id="decision-quality"' in html and 'id="unknown-labels"' not in html
    assert "No analysis has a category yet." in html


async def test_a_company_is_created_with_its_decision_settings(admin: AsyncTestClient) -> None:
    form = {
        "_csrf_token": await page_token(admin),
        "name": "Careful Co",
        "auto_categorize": "on",
        "similar_tickets_enabled": "on",
        "category_mode": "recommend",
        "team_mode": "monitor",
        "target_precision": "0,9",
        "trust_uncalibrated": "on",
    }
    response = await admin.post("/admin/companies/new", data=form, follow_redirects=False)
    assert response.status_code == 303
    company_id = int(response.headers["location"].rsplit("/", 1)[1])
    async with WORLD.uow() as unit:
        company = await unit.companies.get(company_id)
    assert company is not None
    policy = company.policy
    assert (policy.category_mode, policy.team_mode) == (DecisionMode.RECOMMEND, DecisionMode.MONITOR)
    assert policy.target_precision == 0.9 and policy.trust_uncalibrated
    assert company.flags.similar_tickets and not company.flags.auto_assign
    html = (await admin.get(f"/admin/companies/{company_id}")).text
    assert '<option value="recommend" selected>' in html and 'value="0.9"' in html
    assert 'name="similar_tickets_enabled" type="checkbox" value="on" checked>' in html
    listing = (await admin.get("/admin/companies")).text
    # Categorise, prioritise, assign, similar tickets, then the decision settings.
    assert re.search(
        r"Careful Co</a></td>\s*<td>yes</td>\s*<td>no</td>\s*<td>no</td>\s*<td>yes</td>\s*"
        r"<td>recommend</td>\s*<td>monitor</td>\s*<td>90\.0 %</td>\s*<td>yes</td>",
        listing,
    )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"target_precision": "1.5"}, {"target_precision": "must be greater than 0 and at most 1"}),
        ({"target_precision": "lots"}, {"target_precision": "must be a number"}),
        ({"target_precision": "nan"}, {"target_precision": "must be a number"}),
        (
            {"category_mode": "guess", "team_mode": "always", "name": ""},
            {
                "category_mode": "must be one of autofill, recommend, monitor",
                "team_mode": "must be one of",
                "name": "must be a non-empty string",
            },
        ),
    ],
)
async def test_bad_decision_settings_are_field_errors_and_change_nothing(
    admin: AsyncTestClient, fields: dict[str, str], errors: dict[str, str]
) -> None:
    company_id = IDS["other_co"]
    form = {
        "_csrf_token": await page_token(admin),
        "name": "Other Co",
        "category_mode": "autofill",
        "team_mode": "autofill",
        "target_precision": "0.95",
        **fields,
    }
    for path in ["/admin/companies/new", f"/admin/companies/{company_id}"]:
        response = await admin.post(path, data=form, follow_redirects=False)
        assert response.status_code == 400, path
        for field, message in errors.items():
            assert re.search(rf'id="{field}-error">{re.escape(message)}', response.text), (path, field)
    async with WORLD.uow() as unit:
        company = await unit.companies.get(company_id)
    assert company is not None and company.policy.target_precision == 0.95


async def test_a_company_s_decision_settings_and_flags_are_changed_from_its_page(admin: AsyncTestClient) -> None:
    async with WORLD.uow() as unit:
        company = await unit.companies.add(Company(None, "Changing Co"))
        await unit.commit()
    form = {
        "_csrf_token": await page_token(admin),
        "name": "Changing Co",
        "auto_assign": "on",
        "category_mode": "monitor",
        "team_mode": "recommend",
        "target_precision": "0.8",
    }
    response = await admin.post(f"/admin/companies/{company.id}", data=form, follow_redirects=False)
    assert response.status_code == 303
    async with WORLD.uow() as unit:
        changed = await unit.companies.get(company.id or 0)
    assert changed is not None and changed.policy.category_mode is DecisionMode.MONITOR
    assert changed.policy.team_mode is DecisionMode.RECOMMEND and changed.policy.target_precision == 0.8
    assert not changed.flags.auto_categorize and changed.flags.auto_assign
    # Similar tickets were on (a new company's default); left unticked, the form turns them off, and back on.
    assert not changed.flags.similar_tickets
    html = (await admin.get(f"/admin/companies/{company.id}")).text
    assert 'name="similar_tickets_enabled" type="checkbox" value="on">' in html
    form |= {"_csrf_token": await page_token(admin), "similar_tickets_enabled": "on"}
    response = await admin.post(f"/admin/companies/{company.id}", data=form, follow_redirects=False)
    assert response.status_code == 303
    async with WORLD.uow() as unit:
        changed = await unit.companies.get(company.id or 0)
    assert changed is not None and changed.flags.similar_tickets and changed.flags.auto_assign
    assert changed.policy.category_mode is DecisionMode.MONITOR
