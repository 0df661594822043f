"""The diagnosis on hand-built traces: critical paths, patterns, ranking, paging, a missing Jaeger."""

from __future__ import annotations

import httpx

from diagnose.__main__ import main as diagnose_main
from diagnose.analysis import Analysis, pattern
from diagnose.critical_path import critical_path, root_of
from diagnose.mongo_check import parse_shape
from diagnose.traces import Jaeger, Span, Trace

MS = 1000


def span(span_id, parent, name, start_ms, duration_ms, service="chat", kind="", statement=""):
    tags = {"db.statement": statement} if statement else {}
    return Span(span_id, parent, service, name, start_ms * MS, duration_ms * MS, tags, kind)


def self_times(trace: Trace) -> dict[str, int]:
    return {seg.span.name: seg.self_us // MS for seg in critical_path(trace)}


def test_sequential_children_are_all_on_the_path_and_times_add_up():
    trace = Trace("t", [
        span("r", None, "root", 0, 100, kind="server"),
        span("a", "r", "a", 10, 20),
        span("b", "r", "b", 40, 50),
    ])  # fmt: skip
    assert self_times(trace) == {"root": 30, "a": 20, "b": 50}
    assert sum(seg.self_us for seg in critical_path(trace)) == 100 * MS


def test_of_concurrent_children_only_the_one_finishing_last_counts():
    trace = Trace("t", [
        span("r", None, "root", 0, 100),
        span("fast", "r", "fast", 10, 30),
        span("slow", "r", "slow", 10, 80),
    ])  # fmt: skip
    assert self_times(trace) == {"root": 20, "slow": 80}


def test_clock_skew_cannot_make_a_child_longer_than_its_parent():
    # The callee's clock runs 5 ms early and 5 ms long: clamped into its parent.
    trace = Trace("t", [
        span("r", None, "root", 0, 100),
        span("c", "r", "call", 20, 60, kind="client"),
        span("s", "c", "GET /x", 15, 70, service="other", kind="server"),
    ])  # fmt: skip
    times = self_times(trace)
    assert times["GET /x"] == 60 and times["call"] == 0 and times["root"] == 40
    assert sum(times.values()) == 100


def test_spans_missing_their_parent_leave_the_real_root_in_charge():
    trace = Trace("t", [
        span("r", None, "root", 0, 100),
        span("x", "gone", "orphan", 10, 500),
        span("a", "r", "a", 10, 50),
    ])  # fmt: skip
    root, orphans = root_of(trace)
    assert root.name == "root" and orphans == 1
    assert self_times(trace) == {"root": 50, "a": 50}


def _list_request(trace_id: str, finds: int, each_ms: int) -> Trace:
    spans = [span("r", None, "GET /api/conversations", 0, 10 + finds * each_ms, kind="server"),
             span("p", "r", "fetch_previews", 5, finds * each_ms)]  # fmt: skip
    for n in range(finds):
        statement = 'find messages {"conversation_id": "?"} sort {"timestamp": -1} limit 1'
        spans.append(span(f"f{n}", "p", "find messages", 5 + n * each_ms, each_ms, kind="client", statement=statement))
    return Trace(trace_id, spans)


def _chat_request(trace_id: str, llm_ms: int) -> Trace:
    return Trace(trace_id, [
        span("r", None, "POST /api/chat", 0, llm_ms + 10, kind="server"),
        span("l", "r", "call_llm_service", 5, llm_ms),
    ])  # fmt: skip


def test_repeated_sibling_queries_are_named_an_n_plus_one_and_ranked_first():
    analysis = Analysis(threshold_ms=500, threshold_rule="the SLO")
    for n in range(20):
        analysis.add(_chat_request(f"c{n}", 200), "chat")
    for n in range(3):
        analysis.add(_list_request(f"l{n}", finds=20, each_ms=40), "chat")
    assert (analysis.traces, analysis.slow) == (23, 3)
    operation, stats, slow_share, normal_share = analysis.ranked()[0]
    assert operation.label() == "chat: find messages  (in fetch_previews)"
    assert slow_share > 0.9 and normal_share == 0
    assert pattern(operation, stats).startswith("N+1 queries")
    assert len(stats.examples) == 3
    assert analysis.endpoints["POST /api/chat"].count == 20


def test_a_childless_span_with_its_own_time_is_cpu_work():
    analysis = Analysis(threshold_ms=500, threshold_rule="the SLO")
    analysis.add(Trace("s", [span("r", None, "GET /api/conversations/{id}", 0, 900, kind="server"),
                             span("z", "r", "serialize", 100, 780)]), "chat")  # fmt: skip
    operation, stats, *_ = analysis.ranked()[0]
    assert operation.name == "serialize" and "CPU" in pattern(operation, stats)


def test_another_services_time_is_named_by_the_step_that_called_it():
    analysis = Analysis(threshold_ms=500, threshold_rule="the SLO")
    analysis.add(Trace("x", [
        span("r", None, "GET /api/profile", 0, 2000, kind="server"),
        span("a", "r", "fetch_avatar", 5, 1990),
        span("g", "a", "GET", 6, 1985, kind="client"),
        span("s", "g", "GET /v1/avatars/{user_id}", 7, 1980, service="llm-stub", kind="server"),
        span("k", "s", "lookup_avatar", 8, 1975, service="llm-stub"),
    ]), "chat")  # fmt: skip
    operation, stats, *_ = analysis.ranked()[0]
    assert operation.label() == "llm-stub: lookup_avatar  (in fetch_avatar)"
    assert pattern(operation, stats).startswith("slow outbound call")


def test_query_shape_to_index_follows_equality_sort_range():
    shape = parse_shape('find messages {"conversation_id": "?", "timestamp": {"$lt": "?"}} sort {"timestamp": -1} limit 50')
    assert shape.collection == "messages" and shape.equality == ["conversation_id"] and shape.ranges == ["timestamp"]
    assert shape.create_index_command() == "db.messages.createIndex({conversation_id: 1, timestamp: 1})"
    assert parse_shape("insert messages") is None


def _jaeger_page(trace_ids: list[str]) -> dict:
    return {"data": [{"traceID": t, "processes": {"p1": {"serviceName": "chat"}},
                      "spans": [{"spanID": "1", "operationName": "GET /x", "processID": "p1", "startTime": int(t), "duration": 5,
                                 "references": [], "tags": []}]} for t in trace_ids]}  # fmt: skip


def test_search_splits_full_windows_until_every_trace_is_read():
    stored = [str(n) for n in range(1, 1001)]  # one trace per microsecond from 1 to 1000
    calls = []

    def jaeger(request: httpx.Request) -> httpx.Response:
        start, end, limit = (int(request.url.params[k]) for k in ("start", "end", "limit"))
        calls.append((start, end))
        hits = [t for t in stored if start <= int(t) <= end][:limit]  # Jaeger truncates at the limit
        return httpx.Response(200, json=_jaeger_page(hits))

    found = [t.trace_id for t in Jaeger("http://j", transport=httpx.MockTransport(jaeger)).search("chat", 1, 1000, page_size=100)]
    assert sorted(found, key=int) == stored and len(found) == len(set(found))
    assert len(calls) > 10, "full pages were split"


def test_unreachable_jaeger_is_a_clear_error_and_a_non_zero_exit(capsys, tmp_path):
    code = diagnose_main(["--jaeger-url", "http://127.0.0.1:9", "--minutes", "1", "--report-dir", str(tmp_path)])
    assert code == 2
    assert "cannot reach Jaeger at http://127.0.0.1:9" in capsys.readouterr().err
