"""A request's spans go through the real collector into the real Jaeger, as one well-formed tree."""

from __future__ import annotations

import json

import pytest

from local_stack import components as spec
from tests.e2e.jaeger import wait_for_trace
from tests.polling import poll_until

pytestmark = pytest.mark.e2e

EXPECTED = {
    ("chat", "POST /api/chat"),
    ("chat", "get_user_id"),
    ("auth", "POST /verify"),
    ("chat", "fetch_conversation"),
    ("chat", "check_permissions"),
    ("chat", "fetch_messages"),
    ("chat", "find messages"),
    ("chat", "call_llm_service"),
    ("llm-stub", "POST /v1/chat/completions"),
    ("llm-stub", "generate_completion"),
    ("chat", "save_to_db"),
    ("chat", "insert messages"),
}


def trace_id_of(response) -> str:
    """chat answers with a W3C traceresponse header: 00-<trace id>-<span id>-01."""
    return response.headers["traceresponse"].split("-")[1]


@pytest.fixture(scope="module")
def chat_exchange(stack):
    headers = stack.login()
    conversation = stack.client.get("/api/conversations", headers=headers).json()["items"][0]["id"]
    response = stack.client.post(
        "/api/chat", json={"conversation_id": conversation, "message": "e2e secret text"}, headers=headers
    )
    assert response.status_code == 200, response.text
    trace_id = trace_id_of(response)
    return trace_id, conversation, wait_for_trace(trace_id, EXPECTED)


def test_one_trace_spans_chat_auth_llm_and_mongo(chat_exchange):
    _, _, trace = chat_exchange
    assert trace.services() == {"chat", "auth", "llm-stub"}
    mongo = [s for s in trace.spans if s.tags.get("db.system") == "mongodb"]
    assert {s.name for s in mongo} >= {"find conversations", "find permissions", "find messages", "insert messages"}


def test_every_span_has_its_parent_in_the_trace(chat_exchange):
    _, _, trace = chat_exchange
    ids = {s.span_id for s in trace.spans}
    roots = [s for s in trace.spans if s.parent_id is None]
    assert [(r.service, r.name) for r in roots] == [("chat", "POST /api/chat")]
    orphans = [(s.service, s.name) for s in trace.spans if s.parent_id and s.parent_id not in ids]
    assert orphans == []

    by_id = {s.span_id: s for s in trace.spans}
    parent = lambda span: by_id[span.parent_id]  # noqa: E731
    assert parent(trace.one("fetch_messages")).name == "POST /api/chat"
    assert parent(trace.one("find messages")).name == "fetch_messages"
    # auth's server span hangs off chat's outgoing HTTP span inside get_user_id: propagation worked.
    verify_client = parent(trace.one("POST /verify", "auth"))
    assert verify_client.service == "chat" and parent(verify_client).name == "get_user_id"
    llm_client = parent(trace.one("POST /v1/chat/completions", "llm-stub"))
    assert llm_client.service == "chat" and parent(llm_client).name == "call_llm_service"


def test_mongo_spans_carry_redacted_shapes(chat_exchange):
    _, conversation, trace = chat_exchange
    find = trace.one("find messages")
    assert find.tags["db.statement"].startswith('find messages {"conversation_id": "?"}')
    for span in trace.spans:
        text = json.dumps(span.tags)
        assert conversation not in text and "e2e secret text" not in text, f"{span.name} leaks a value"


def test_the_request_log_names_the_trace_jaeger_holds(chat_exchange):
    trace_id, _, trace = chat_exchange
    log = spec.STATE_DIR / "logs" / "chat.log"

    def request_line():
        for line in log.read_text().splitlines():
            if line.startswith("{") and f'"trace_id":"{trace_id}"' in line:
                return json.loads(line)
        return None

    line = poll_until(request_line, f"chat's request log line for trace {trace_id}", timeout_s=10)
    assert (line["method"], line["path"], line["status"], line["user_id"]) == ("POST", "/api/chat", 200, "user-0001")
    root = trace.one("POST /api/chat")
    assert line["span_id"] == root.span_id
    assert "e2e secret text" not in log.read_text()
