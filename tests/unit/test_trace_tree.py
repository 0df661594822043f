"""The trace tree a person sees in Jaeger, checked span by span on the in-process services."""

from __future__ import annotations

import httpx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from tests.unit.conftest import IsolatedASGITransport, chat_with_llm

SEED_STEPS = ("get_user_id", "fetch_conversation", "check_permissions", "fetch_messages", "call_llm_service", "save_to_db")


def service(span: ReadableSpan) -> str:
    return span.resource.attributes["service.name"]


def by_id(spans: list[ReadableSpan]) -> dict[int, ReadableSpan]:
    return {s.context.span_id: s for s in spans}


def one(spans: list[ReadableSpan], **match) -> ReadableSpan:
    found = [s for s in spans if all(getattr(s, k) == v if k != "service" else service(s) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one span matching {match}, found {[(service(s), s.name) for s in found]}"
    return found[0]


async def _chat_in_existing_conversation(lab) -> tuple[list[ReadableSpan], str]:
    headers = await lab.headers("user-0001")
    listing = await lab.client.get("/api/conversations", headers=headers)
    conversation_id = listing.json()["items"][0]["id"]
    lab.exporter.clear()
    response = await lab.client.post(
        "/api/chat", json={"conversation_id": conversation_id, "message": "secret words 1234"}, headers=headers
    )
    assert response.status_code == 200, response.text
    root = one(lab.spans(), service="chat", kind=SpanKind.SERVER)
    return [s for s in lab.spans() if s.context.trace_id == root.context.trace_id], conversation_id


async def test_chat_request_is_one_tree_across_services(lab):
    spans, _ = await _chat_in_existing_conversation(lab)
    assert len({s.context.trace_id for s in lab.spans()}) == 1, "every span of the request is in one trace"
    ids = by_id(spans)
    root = one(spans, service="chat", kind=SpanKind.SERVER)
    assert root.parent is None

    # Every span but the root has its parent in the same trace: no orphans.
    for span in spans:
        if span is not root:
            assert span.parent is not None and span.parent.span_id in ids, f"{service(span)}/{span.name} is orphaned"

    # The seed's steps, each a direct child of chat's request span, in the order they ran.
    steps = sorted((s for s in spans if s.parent and s.parent.span_id == root.context.span_id), key=lambda s: s.start_time)
    assert [s.name for s in steps] == list(SEED_STEPS)


async def test_auth_and_llm_server_spans_are_children_of_chats_client_spans(lab):
    spans, _ = await _chat_in_existing_conversation(lab)
    ids = by_id(spans)
    for step, callee in (("get_user_id", "auth"), ("call_llm_service", "llm-stub")):
        step_span = one(spans, service="chat", name=step)
        server = one(spans, service=callee, kind=SpanKind.SERVER)
        client = ids[server.parent.span_id]
        assert service(client) == "chat" and client.kind == SpanKind.CLIENT, "propagated through traceparent"
        assert client.parent.span_id == step_span.context.span_id
    generate = one(spans, service="llm-stub", name="generate_completion")
    assert generate.parent.span_id == one(spans, service="llm-stub", kind=SpanKind.SERVER).context.span_id


async def test_mongo_spans_are_children_of_the_steps_with_redacted_shapes(lab):
    spans, conversation_id = await _chat_in_existing_conversation(lab)
    ids = by_id(spans)
    mongo = [s for s in spans if s.attributes.get("db.system") == "mongodb"]
    parents = {ids[s.parent.span_id].name for s in mongo}
    assert parents == {"fetch_conversation", "check_permissions", "fetch_messages", "save_to_db"}

    fetch = one(spans, name="find messages")
    assert ids[fetch.parent.span_id].name == "fetch_messages"
    assert fetch.kind == SpanKind.CLIENT
    assert fetch.attributes["db.statement"] == (
        'find messages {"conversation_id": "?"} sort {"timestamp": -1} limit 20'
    )
    for span in mongo:
        assert conversation_id not in span.attributes["db.statement"], "ids are literals: redacted"


async def test_no_message_text_or_token_in_any_span(lab):
    token = await lab.token("user-0001")
    spans, _ = await _chat_in_existing_conversation(lab)
    for span in spans:
        for key, value in span.attributes.items():
            text = str(value)
            assert "secret words" not in text, f"message text leaked into {span.name}.{key}"
            assert token[:20] not in text and "Bearer" not in text, f"token leaked into {span.name}.{key}"
            assert "unit-test-password" not in text


async def test_llm_failure_is_recorded_on_the_span(lab):
    def overloaded(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"detail": "overloaded"})

    chat, exporter = chat_with_llm(lab, httpx.MockTransport(overloaded))
    async with chat.router.lifespan_context(chat):
        client = httpx.AsyncClient(transport=IsolatedASGITransport(chat), base_url="http://chat")
        response = await client.post("/api/chat", json={"message": "hello"}, headers=await lab.headers("user-0001"))
    assert response.status_code == 502
    spans = list(exporter.get_finished_spans())
    call = one(spans, name="call_llm_service")
    assert call.status.status_code == StatusCode.ERROR
    assert any(event.name == "exception" for event in call.events)
    assert one(spans, kind=SpanKind.SERVER).status.status_code == StatusCode.ERROR
