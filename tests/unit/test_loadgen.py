"""The load generator measures what a user would have waited, stalls included."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from loadgen import report
from loadgen.runner import OpenModelRunner, Plan
from loadgen.spans import SpanRecorder
from loadgen.schedule import arrival_offsets
from loadgen.stats import LatencyStats
from loadgen.traffic import Request, parse_mix


class OneRequest:
    def next_request(self) -> Request:
        return Request("probe", "GET", "/x", {})


def stalling_server(stall_from: float, stall_until: float):
    """A tiny ASGI app: instant answers, except that it hangs between two moments of the loop clock."""

    async def app(scope, receive, send):
        loop = asyncio.get_running_loop()
        now = loop.time() - app.started
        if stall_from <= now < stall_until:
            await asyncio.sleep(stall_until - now)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


async def test_a_stall_shows_in_the_tail_as_the_users_waiting_behind_it_saw_it():
    # 100 req/s for 3 s; the server hangs from 1.0 s to 2.0 s. The 100 requests meant to go out in that
    # second waited between 0 and 1 s: a third of all requests. A closed loop would have sent one.
    app = stalling_server(1.0, 2.0)
    app.started = asyncio.get_running_loop().time() + 0.05
    spans = SpanRecorder()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://fake") as client:
        results = await OpenModelRunner(client, OneRequest(), spans, Plan(rate=100, duration_s=3)).run()
    stats = results.overall
    assert stats.count == 300 and results.scheduled == 300
    assert stats.percentile_ms(99) > 900, "the requests queued behind the stall"
    assert stats.percentile_ms(90) > 600
    assert stats.percentile_ms(50) < 100, "most requests were not affected"
    assert results.send_lag.percentile_ms(50) < 5, "the generator itself kept sending on time"
    assert {s.trace_id for s in results.slowest_first()} <= {s.trace_id_hex for s in spans.spans}
    assert len({s.trace_id for s in spans.spans}) == 300, "one trace per request"


def test_client_spans_are_exported_with_the_ids_the_requests_carried():
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace.export import SpanExportResult
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from loadgen.spans import ClientSpan

    recorder = SpanRecorder()
    trace_id, span_id, traceparent = recorder.new_ids()
    assert traceparent == f"00-{trace_id:032x}-{span_id:016x}-01"
    recorder.record(ClientSpan(trace_id, span_id, "history", 1_000, 5_000, {"lab.loadgen.outcome": "503"}, True))
    exporter = InMemorySpanExporter()
    exporter.shutdown = lambda: None  # keep what it received readable after export() shuts it down
    assert recorder.export(Resource.create({"service.name": "loadgen"}), exporter)
    [span] = exporter.get_finished_spans()
    assert (span.context.trace_id, span.context.span_id, span.name) == (trace_id, span_id, "history")
    assert span.start_time == 1_000 and span.end_time == 5_000 and span.status.status_code.name == "ERROR"
    assert span.resource.attributes["service.name"] == "loadgen"
    assert SpanExportResult.SUCCESS.name == "SUCCESS"


def test_percentiles_of_a_known_distribution():
    stats = LatencyStats()
    for ms in range(1, 10_001):
        stats.record(ms / 1000, "200")
    # HdrHistogram with 3 significant digits: within 0.1%.
    assert stats.percentile_ms(50) == pytest.approx(5000, rel=1e-3)
    assert stats.percentile_ms(90) == pytest.approx(9000, rel=1e-3)
    assert stats.percentile_ms(99) == pytest.approx(9900, rel=1e-3)
    assert stats.summary(10)["max_ms"] == pytest.approx(10_000, rel=1e-3)
    assert stats.summary(10)["throughput_rps"] == 1000


def test_errors_are_counted_by_outcome():
    stats = LatencyStats()
    for outcome in ("200", "200", "503", "ReadTimeout", "503"):
        stats.record(0.01, outcome)
    assert stats.errors == {"503": 2, "ReadTimeout": 1}


def test_constant_schedule_is_evenly_spaced():
    offsets = list(arrival_offsets(200, 30))
    assert len(offsets) == 6000
    assert offsets[1] - offsets[0] == pytest.approx(0.005)
    assert offsets[-1] < 30


def test_ramp_schedule_speeds_up():
    offsets = list(arrival_offsets(100, 10, start_rate=10))
    assert len(offsets) == 550  # (10 + 100) / 2 * 10
    first_second = sum(1 for t in offsets if t < 1)
    last_second = sum(1 for t in offsets if t >= 9)
    assert 10 <= first_second <= 16 and 90 <= last_second <= 100


def test_mix_parsing():
    assert parse_mix("chat_new=1,history=3") == {"chat_new": 1, "history": 3}
    for bad in ("nope=1", "chat_new=x", "chat_new=0"):
        with pytest.raises(ValueError):
            parse_mix(bad)


def test_report_links_every_slow_request_to_its_trace_and_gives_the_verdict(tmp_path):
    from loadgen.runner import Results, Sample

    results = Results(elapsed_s=10, scheduled=3)
    for latency, trace_id in ((0.1, "a" * 32), (2.5, "b" * 32), (0.2, "c" * 32)):
        results.add(Sample(latency, "history", "200", trace_id), lag_s=0.001, late_s=0.01, keep=2)
    config = {"rate": 0.3, "slo_p95_ms": 500}
    built = report.build(results, config, "http://localhost:16686", ["missing_index"])
    assert [s["trace_id"] for s in built["slowest"]] == ["b" * 32, "c" * 32]
    assert built["slowest"][0]["url"] == "http://localhost:16686/trace/" + "b" * 32
    assert built["slo"]["met"] is False
    text = report.render(built)
    assert "2500.0 ms  history" in text and "http://localhost:16686/trace/" + "b" * 32 in text
    assert "SLO p95 < 500 ms: MISSED" in text

    path = report.save(built, tmp_path)
    fixed = json.loads(path.read_text())
    fixed["scenarios"], fixed["overall"]["p95_ms"] = [], 100.0
    assert "before: scenarios missing_index   after: scenarios none" in report.compare(built, fixed)
