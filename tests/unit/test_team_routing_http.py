"""Teams owning several categories, and feedback naming a team, through the HTTP API."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.unit.http_world import http_world


async def test_a_team_owns_several_categories_through_the_api() -> None:
    world = http_world(keys=False)
    async with AsyncTestClient(app=world.app) as client:
        assert (await client.post("/api/companies", json={"name": "Initech"})).status_code == 201
        created = await client.post(
            "/api/companies/1/teams", json={"name": "Desk", "categories": ["Hardware", "Purchase", "hardware"]}
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["category"], body["categories"]) == ("Hardware", ["Hardware", "Purchase"])

        patched = await client.patch(f"/api/teams/{body['id']}", json={"category": "Storage"})
        assert patched.json()["categories"] == ["Storage", "Purchase"]
        patched = await client.patch(f"/api/teams/{body['id']}", json={"categories": ["Access"]})
        assert (patched.json()["category"], patched.json()["categories"]) == ("Access", ["Access"])
        plain = await client.post("/api/companies/1/teams", json={"name": "Plain", "description": "anything"})
        assert (plain.json()["category"], plain.json()["categories"]) == (None, [])
        listed = await client.get("/api/companies/1/teams")
        assert [team["categories"] for team in listed.json()] == [["Access"], []]

        bad = await client.post("/api/companies/1/teams", json={"name": "Ops", "categories": ["ok", 3]})
        assert (bad.status_code, bad.json()["field"]) == (400, "categories[1]")


async def test_feedback_naming_a_team_of_another_company_is_a_400_naming_team_id() -> None:
    world = http_world(keys=False)
    async with AsyncTestClient(app=world.app) as client:
        for name in ("Initech", "Globex"):
            assert (await client.post("/api/companies", json={"name": name})).status_code == 201
        own = (await client.post("/api/companies/1/teams", json={"name": "Desk", "description": "laptops"})).json()
        other = (await client.post("/api/companies/2/teams", json={"name": "Far", "category": "Access"})).json()
        analysis = (await client.post("/api/analyze", json={"description": "laptop broken", "company_id": 1})).json()

        refused = await client.post(f"/api/analyses/{analysis['analysis_id']}/feedback", json={"team_id": other["id"]})
        assert (refused.status_code, refused.json()["field"]) == (400, "team_id")
        accepted = await client.post(f"/api/analyses/{analysis['analysis_id']}/feedback", json={"team_id": own["id"]})
        assert accepted.status_code in (200, 201), accepted.text
        assert [item.text for item in world.uow.store.teams[own["id"]].evidence] == ["laptop broken"]
