"""Each scenario, on and then fixed, as its trace in Jaeger shows it: the signature, then its absence."""

from __future__ import annotations


import pytest

from tests.e2e.jaeger import Span, Trace, wait_for_trace
from tests.e2e.test_pipeline import trace_id_of

pytestmark = pytest.mark.e2e


def traced(stack, path: str, headers: dict, expected: set[tuple[str, str]], **params) -> Trace:
    response = stack.client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return wait_for_trace(trace_id_of(response), expected)


@pytest.fixture(scope="module")
def whale(stack):
    """The conversation with the most messages, and its owner's auth headers."""
    conversation = stack.db.conversations.find_one({}, sort=[("message_count", -1)], projection={"transcript": 0})
    assert conversation["message_count"] > 100, "the seed makes whale conversations"
    return conversation, stack.login(conversation["user_id"])


def is_real_mongodb(stack) -> bool:
    return "ferretdbVersion" not in stack.db.client.admin.command("buildInfo")


def history_find(stack, whale, *scenarios: str) -> Span:
    conversation, headers = whale
    stack.set_scenarios(*scenarios)
    trace = traced(stack, f"/api/conversations/{conversation['_id']}", headers, {("chat", "find messages")}, limit=10)
    mongo = [s for s in trace.spans if s.tags.get("db.system") == "mongodb"]
    assert max(mongo, key=lambda s: s.duration_us).name == "find messages", "one long find dominates"
    return trace.one("find messages")


def test_missing_index_is_one_long_find_and_the_fix_creates_the_index(stack, whale):
    history_find(stack, whale, "missing_index")
    assert "conversation_id_1_timestamp_1" not in stack.db.messages.index_information()
    stack.set_scenarios()
    assert "conversation_id_1_timestamp_1" in stack.db.messages.index_information()


def test_the_index_makes_the_find_50_times_faster(stack, whale):
    if not is_real_mongodb(stack):
        pytest.skip("FerretDB v1 does not use secondary indexes for equality filters: the speed-up needs real MongoDB")
    broken = history_find(stack, whale, "missing_index")
    fixed = history_find(stack, whale)
    assert fixed.duration_us * 50 <= broken.duration_us


def test_n_plus_one_is_many_sibling_finds_and_the_fix_is_one(stack):
    headers = stack.login("user-0001")
    expected = {("chat", "fetch_previews")}

    listed = min(5, stack.db.conversations.count_documents({"user_id": "user-0001"}))
    assert listed >= 3

    stack.set_scenarios("n_plus_one")
    broken = traced(stack, "/api/conversations", headers, expected, limit=5)
    siblings = [s.name for s in broken.children(broken.one("fetch_previews"))]
    assert siblings == ["find messages"] * listed, "one find per listed conversation"
    steps = broken.children(broken.one("GET /api/conversations"))
    assert max(steps, key=lambda s: s.duration_us).name == "fetch_previews", "the repeated finds dominate"

    stack.set_scenarios()
    fixed = traced(stack, "/api/conversations", headers, expected, limit=5)
    [find] = fixed.children(fixed.one("fetch_previews"))
    assert find.tags["db.statement"].startswith('find messages {"conversation_id": {"$in": "?"}')


def test_unbounded_query_returns_everything_and_the_fix_pages(stack, whale):
    conversation, headers = whale
    path = f"/api/conversations/{conversation['_id']}"
    expected = {("chat", "fetch_messages"), ("chat", "find messages")}

    stack.set_scenarios("unbounded_query")
    broken = traced(stack, path, headers, expected)
    assert "limit" not in broken.one("find messages").tags["db.statement"]
    assert broken.one("fetch_messages").tags["lab.messages.returned"] == conversation["message_count"]
    assert broken.named("getMore messages"), "a result that big comes back in several batches"

    stack.set_scenarios()
    fixed = traced(stack, path, headers, expected)
    assert fixed.one("find messages").tags["db.statement"].endswith("limit 50")
    assert fixed.one("fetch_messages").tags["lab.messages.returned"] == 50


def test_slow_external_call_waits_on_the_api_every_time_and_the_fix_caches(stack):
    headers = stack.login("user-0002")
    expected = {("chat", "fetch_avatar")}

    stack.set_scenarios("slow_external_call")
    for _ in range(2):
        broken = traced(stack, "/api/profile", headers, expected | {("llm-stub", "lookup_avatar")})
        [call] = broken.children(broken.one("fetch_avatar"))
        assert call.tags.get("http.request.method", call.tags.get("http.method")) == "GET"
        assert not [s for s in broken.spans if s.tags.get("db.system") == "redis"]

    stack.set_scenarios()
    traced(stack, "/api/profile", headers, expected)  # warms the cache
    fixed = traced(stack, "/api/profile", headers, expected)
    [cache_read] = fixed.children(fixed.one("fetch_avatar"))
    assert cache_read.tags.get("db.system") == "redis" and cache_read.name == "GET"
    assert fixed.one("fetch_avatar").tags["lab.cache.hit"] is True
    assert "lookup_avatar" not in {s.name for s in fixed.spans}


def test_slow_serialization_is_a_long_childless_span_and_the_fix_shrinks_it(stack, whale):
    conversation, headers = whale
    path = f"/api/conversations/{conversation['_id']}"
    expected = {("chat", "serialize")}

    stack.set_scenarios("slow_serialization")
    broken = traced(stack, path, headers, expected)
    serialize = broken.one("serialize")
    assert broken.children(serialize) == [], "its time is its own"

    stack.set_scenarios()
    fixed = traced(stack, path, headers, expected)
    assert serialize.tags["lab.response.bytes"] > 10 * fixed.one("serialize").tags["lab.response.bytes"]
    assert serialize.duration_us > 3 * fixed.one("serialize").duration_us
