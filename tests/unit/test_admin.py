"""Switching scenarios at runtime: guarded, validated, recorded on every trace, safe under traffic."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry.trace import SpanKind

from services.chat.scenarios import SCENARIOS
from services.chat.store import MESSAGES_INDEX_NAME
from tests.unit.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
async def all_fixed(lab):
    """Leave every scenario off after the test, as the other tests expect."""
    yield
    assert (await lab.client.post("/admin/fix", headers=ADMIN)).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_TOKEN}])
async def test_admin_needs_the_admin_token(lab, headers):
    assert (await lab.client.get("/admin/scenarios", headers=headers)).status_code == 401
    response = await lab.client.put("/admin/scenarios/n_plus_one", json={"on": True}, headers=headers)
    assert response.status_code == 401
    assert (await lab.client.get("/admin/scenarios", headers=ADMIN)).json()["active"] == []


async def test_a_user_token_is_not_an_admin_token(lab):
    response = await lab.client.post("/admin/break", headers=await lab.headers("user-0001"))
    assert response.status_code == 401


async def test_unknown_scenario_and_bad_body(lab):
    assert (await lab.client.put("/admin/scenarios/nope", json={"on": True}, headers=ADMIN)).status_code == 404
    assert (await lab.client.put("/admin/scenarios/n_plus_one", json={"on": "yes"}, headers=ADMIN)).status_code == 422
    assert (await lab.client.put("/admin/scenarios/n_plus_one", json={}, headers=ADMIN)).status_code == 422


async def test_listing_describes_every_scenario(lab):
    body = (await lab.client.get("/admin/scenarios", headers=ADMIN)).json()
    assert set(body["scenarios"]) == set(SCENARIOS)
    assert all(s["symptom"] and s["fix"] for s in body["scenarios"].values())


async def test_break_and_fix_switch_the_index_and_are_persisted(lab, all_fixed):
    assert MESSAGES_INDEX_NAME in await lab.db.messages.index_information()
    body = (await lab.client.post("/admin/break", headers=ADMIN)).json()
    assert body["active"] == ["missing_index"]
    assert MESSAGES_INDEX_NAME not in await lab.db.messages.index_information()
    assert (await lab.db.lab_meta.find_one({"_id": "scenarios"}))["active"] == ["missing_index"]

    body = (await lab.client.post("/admin/fix", headers=ADMIN)).json()
    assert body["active"] == []
    assert MESSAGES_INDEX_NAME in await lab.db.messages.index_information()


async def test_root_span_records_the_active_scenarios(lab, all_fixed):
    headers = await lab.headers("user-0001")
    await lab.client.put("/admin/scenarios/n_plus_one", json={"on": True}, headers=ADMIN)
    lab.exporter.clear()
    assert (await lab.client.get("/api/conversations", headers=headers)).status_code == 200
    [root] = [s for s in lab.spans() if s.kind == SpanKind.SERVER and s.name == "GET /api/conversations"]
    assert root.attributes["lab.scenarios"] == ("n_plus_one",)


async def test_flipping_scenarios_under_traffic_produces_no_errors(lab, all_fixed):
    headers = await lab.headers("user-0001")
    conversation = (await lab.client.get("/api/conversations", headers=headers)).json()["items"][0]["id"]
    requests = [
        ("GET", "/api/conversations", None),
        ("GET", f"/api/conversations/{conversation}", None),
        ("GET", "/api/profile", None),
        ("POST", "/api/chat", {"conversation_id": conversation, "message": "still there?"}),
    ]

    async def traffic() -> list[int]:
        statuses = []
        for round_ in range(6):
            for method, path, body in requests:
                response = await lab.client.request(method, path, json=body, headers=headers)
                statuses.append(response.status_code)
        return statuses

    async def flipping() -> list[int]:
        statuses = []
        for round_ in range(4):
            for name in SCENARIOS:
                change = {"on": round_ % 2 == 0}
                statuses.append((await lab.client.put(f"/admin/scenarios/{name}", json=change, headers=ADMIN)).status_code)
        return statuses

    results = await asyncio.gather(traffic(), traffic(), traffic(), flipping())
    for statuses in results:
        assert set(statuses) == {200}, statuses
