"""The public API's happy paths: chat, then read the conversation back a page at a time."""

from __future__ import annotations


async def test_new_conversation_is_stored_with_both_messages(lab):
    headers = await lab.headers("user-0003")
    before = await lab.fingerprint()
    response = await lab.client.post("/api/chat", json={"message": "How do I find a slow span?"}, headers=headers)
    assert response.status_code == 200
    reply = response.json()
    after = await lab.fingerprint()
    assert after["messages"][0] == before["messages"][0] + 2
    assert after["conversations"][0] == before["conversations"][0] + 1
    assert after["permissions"][0] == before["permissions"][0] + 1

    detail = await lab.client.get(f"/api/conversations/{reply['conversation_id']}", headers=headers)
    assert detail.status_code == 200
    body = detail.json()
    assert [m["role"] for m in body["messages"]] == ["assistant", "user"], "newest first"
    assert body["messages"][1]["content"] == "How do I find a slow span?"
    assert body["messages"][0]["content"] == reply["reply"]
    assert body["conversation"]["message_count"] == 2
    assert body["next_cursor"] is None


async def test_follow_up_goes_to_the_same_conversation(lab):
    headers = await lab.headers("user-0003")
    first = (await lab.client.post("/api/chat", json={"message": "first"}, headers=headers)).json()
    second = await lab.client.post(
        "/api/chat", json={"conversation_id": first["conversation_id"], "message": "second"}, headers=headers
    )
    assert second.status_code == 200 and second.json()["conversation_id"] == first["conversation_id"]
    detail = (await lab.client.get(f"/api/conversations/{first['conversation_id']}", headers=headers)).json()
    assert [m["content"] for m in detail["messages"] if m["role"] == "user"] == ["second", "first"]


async def test_message_pages_cover_the_conversation_exactly_once(lab):
    headers = await lab.headers("user-0001")
    conversations = (await lab.client.get("/api/conversations", params={"limit": 100}, headers=headers)).json()
    biggest = max(conversations["items"], key=lambda c: c["message_count"])
    assert biggest["message_count"] > 7, "the seed gives user-0001 a conversation long enough to page"

    seen, cursor = [], None
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = (await lab.client.get(f"/api/conversations/{biggest['id']}", params=params, headers=headers)).json()
        seen += page["messages"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == biggest["message_count"]
    assert len({m["id"] for m in seen}) == len(seen), "no message twice"
    stamps = [m["timestamp"] for m in seen]
    assert stamps == sorted(stamps, reverse=True), "newest first across pages"


async def test_conversation_list_pages_and_shows_only_the_callers(lab):
    headers = await lab.headers("user-0002")
    owned = await lab.db.conversations.count_documents({"user_id": "user-0002"})
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await lab.client.get("/api/conversations", params=params, headers=headers)).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == owned


async def test_page_size_is_bounded(lab):
    headers = await lab.headers("user-0001")
    assert (await lab.client.get("/api/conversations", params={"limit": 0}, headers=headers)).status_code == 422
    assert (await lab.client.get("/api/conversations", params={"limit": 101}, headers=headers)).status_code == 422


async def test_probes(lab):
    assert (await lab.client.get("/healthz")).json() == {"status": "ok"}
    assert (await lab.client.get("/readyz")).json() == {"status": "ready"}
