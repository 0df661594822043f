"""Bad input gets a clear status code and leaves the database exactly as it was."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from tests.unit.conftest import JWT_SECRET, IsolatedASGITransport, chat_with_llm

MISSING_ID = "0123456789abcdef01234567"


@pytest.fixture
async def unchanged(lab):
    """Asserts, after the test, that chat wrote nothing."""
    before = await lab.fingerprint()
    yield
    assert await lab.fingerprint() == before, "the database changed"


async def _own_conversation(lab, user_id: str) -> str:
    listing = await lab.client.get("/api/conversations", headers=await lab.headers(user_id))
    return listing.json()["items"][0]["id"]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({}, "message missing"),
        ({"message": ""}, "message empty"),
        ({"message": "x" * 4001}, "message over 4000 characters"),
        ({"message": {"$ne": ""}}, "operator object instead of a string"),
        ({"message": "hi", "conversation_id": {"$ne": None}}, "operator object as conversation id"),
        ({"message": "hi", "conversation_id": "not-an-object-id"}, "malformed conversation id"),
        ({"message": "hi", "conversation_id": 12}, "number as conversation id"),
        ({"message": "hi", "role": "system"}, "unknown field"),
    ],
)
async def test_invalid_chat_body_is_422(lab, unchanged, body, why):
    response = await lab.client.post("/api/chat", json=body, headers=await lab.headers("user-0001"))
    assert response.status_code == 422, why


async def test_malformed_json_is_422(lab, unchanged):
    headers = {**await lab.headers("user-0001"), "Content-Type": "application/json"}
    response = await lab.client.post("/api/chat", content=b'{"message": "unterminated', headers=headers)
    assert response.status_code == 422


@pytest.mark.parametrize("conversation_id", ["not-an-id", "zzzzzzzzzzzzzzzzzzzzzzzz", MISSING_ID])
async def test_unknown_or_malformed_conversation_is_404(lab, unchanged, conversation_id):
    response = await lab.client.get(f"/api/conversations/{conversation_id}", headers=await lab.headers("user-0001"))
    assert response.status_code == 404


async def test_another_users_conversation_is_404_to_read_and_to_write(lab, unchanged):
    theirs = await _own_conversation(lab, "user-0002")
    mine = await lab.headers("user-0001")
    assert (await lab.client.get(f"/api/conversations/{theirs}", headers=mine)).status_code == 404
    response = await lab.client.post("/api/chat", json={"conversation_id": theirs, "message": "hi"}, headers=mine)
    assert response.status_code == 404


@pytest.mark.parametrize("cursor", ["abc", "12-nothex", "-"])
async def test_malformed_cursor_is_422(lab, cursor):
    conversation_id = await _own_conversation(lab, "user-0001")
    headers = await lab.headers("user-0001")
    response = await lab.client.get(f"/api/conversations/{conversation_id}", params={"cursor": cursor}, headers=headers)
    assert response.status_code == 422
    assert (await lab.client.get("/api/conversations", params={"cursor": cursor}, headers=headers)).status_code == 422


def _token(lab, **overrides) -> str:
    now = int(time.time())
    claims = {"sub": "user-0001", "aud": "chat-api", "iss": "auth", "iat": now, "exp": now + 60, **overrides}
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    ("authorization", "why"),
    [
        (None, "no header"),
        ("Bearer", "no token"),
        ("Basic dXNlcjpwYXNz", "wrong scheme"),
        ("Bearer not.a.jwt", "garbage"),
        ("Bearer " + jwt.encode({"sub": "user-0001", "aud": "chat-api", "iss": "auth", "exp": 2**40}, "", algorithm="none"), "alg none"),
        ("Bearer " + jwt.encode({"sub": "user-0001", "aud": "chat-api", "iss": "auth", "exp": 2**40}, "x" * 32, algorithm="HS256"), "wrong key"),
    ],
)
async def test_bad_credentials_are_401(lab, unchanged, authorization, why):
    headers = {"Authorization": authorization} if authorization else {}
    response = await lab.client.post("/api/chat", json={"message": "hi"}, headers=headers)
    assert response.status_code == 401, why
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("claims", "why"),
    [({"exp": 1}, "expired"), ({"aud": "someone-else"}, "wrong audience"), ({"iss": "mallory"}, "wrong issuer")],
)
async def test_well_signed_but_invalid_tokens_are_401(lab, unchanged, claims, why):
    headers = {"Authorization": f"Bearer {_token(lab, **claims)}"}
    assert (await lab.client.get("/api/conversations", headers=headers)).status_code == 401, why


async def test_wrong_password_is_401(lab):
    response = await lab.client.post("/api/login", json={"username": "user-0001", "password": "nope"})
    assert response.status_code == 401
    response = await lab.client.post("/api/login", json={"username": "nobody", "password": "nope"})
    assert response.status_code == 401


def _raise(error: type[httpx.TransportError]):
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("simulated", request=request)

    return handler


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (_raise(httpx.ConnectError), 502),
        (_raise(httpx.ReadTimeout), 504),
        (lambda request: httpx.Response(500, text="boom"), 502),
    ],
)
@pytest.mark.parametrize("existing", [True, False], ids=["existing-conversation", "new-conversation"])
async def test_llm_failure_leaves_nothing_half_written(lab, unchanged, handler, expected, existing):
    body = {"message": "will the model answer?"}
    if existing:
        body["conversation_id"] = await _own_conversation(lab, "user-0001")
    chat, _ = chat_with_llm(lab, httpx.MockTransport(handler))
    async with chat.router.lifespan_context(chat):
        client = httpx.AsyncClient(transport=IsolatedASGITransport(chat), base_url="http://chat")
        response = await client.post("/api/chat", json=body, headers=await lab.headers("user-0001"))
    assert response.status_code == expected
