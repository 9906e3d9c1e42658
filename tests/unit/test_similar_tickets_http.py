"""Similar tickets at the HTTP edge: the answer's fields, GET /api/analyses/{id}/similar, the company flag."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.unit.http_world import http_world

LAPTOP = "My laptop will not turn on before the client meeting"


async def test_answers_carry_similar_tickets_and_a_possible_duplicate() -> None:
    world = http_world(keys=False)
    async with AsyncTestClient(app=world.app) as client:
        company = (await client.post("/api/companies", json={"name": "Initech"})).json()
        assert company["similar_tickets_enabled"] is True
        first = (await client.post("/api/analyze", json={"description": LAPTOP, "company_id": 1})).json()
        assert first["similar_tickets"] == [] and first["possible_duplicate_of"] is None
        again = (await client.post("/api/analyze", json={"description": LAPTOP, "company_id": 1})).json()
        (nearest,) = again["similar_tickets"]
        assert nearest["analysis_id"] == first["analysis_id"] and nearest["labelled_ticket_id"] is None
        assert nearest["similarity"] >= 0.99 and nearest["category_is_human_label"] is False
        assert set(nearest) == {
            "analysis_id",
            "labelled_ticket_id",
            "similarity",
            "category",
            "category_is_human_label",
            "team_id",
            "created_at",
        }
        assert again["possible_duplicate_of"] == nearest
        batch = await client.post("/api/analyze/batch", json={"company_id": 1, "tickets": [{"description": LAPTOP}]})
        assert len(batch.json()["results"][0]["similar_tickets"]) == 2

        more = await client.get(f"/api/analyses/{again['analysis_id']}/similar", params={"k": 5})
        assert more.status_code == 200
        assert {t["analysis_id"] for t in more.json()["similar_tickets"]} == {
            first["analysis_id"],
            batch.json()["results"][0]["analysis_id"],
        }
        bad_k = await client.get(f"/api/analyses/{again['analysis_id']}/similar", params={"k": 0})
        assert bad_k.status_code == 400 and bad_k.json()["field"] == "k"
        assert (await client.get("/api/analyses/9999/similar")).status_code == 404

        patched = await client.patch("/api/companies/1", json={"similar_tickets_enabled": False})
        assert patched.json()["similar_tickets_enabled"] is False
        off = (await client.post("/api/analyze", json={"description": LAPTOP, "company_id": 1})).json()
        assert off["similar_tickets"] is None and off["possible_duplicate_of"] is None
        refused = await client.patch("/api/companies/1", json={"similar_tickets_enabled": "no"})
        assert refused.status_code == 400 and refused.json()["field"] == "similar_tickets_enabled"
    world.container.vector_index().close()


async def test_a_batch_marks_its_repeats_as_possible_duplicates_of_its_earlier_tickets() -> None:
    world = http_world(keys=False)
    async with AsyncTestClient(app=world.app) as client:
        await client.post("/api/companies", json={"name": "Initech"})
        tickets = [{"description": LAPTOP}, {"description": LAPTOP}]
        batch = await client.post("/api/analyze/batch", json={"company_id": 1, "tickets": tickets})
        assert batch.status_code == 200
        first, second = batch.json()["results"]
        assert first["similar_tickets"] == [] and first["possible_duplicate_of"] is None
        (nearest,) = second["similar_tickets"]
        assert nearest["analysis_id"] == first["analysis_id"] and nearest["category"] == first["category"]
        assert second["possible_duplicate_of"] == nearest
    world.container.vector_index().close()
