"""Stop one part of the running stack, check how the rest behaves, start it again, check recovery."""

from __future__ import annotations

import statistics
import time

import httpx
import pytest

from tests.e2e.jaeger import wait_for_trace
from tests.e2e.test_pipeline import trace_id_of
from tests.polling import poll_until

pytestmark = pytest.mark.e2e

# How much slower requests may get while the collector is down. The exporter works on its own
# thread, so the real cost is near zero; the margin is for this shared, noisy machine.
COLLECTOR_DOWN_SLACK_MS = 15.0


def _timed(client: httpx.Client, path: str, headers: dict, n: int) -> list[float]:
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        assert client.get(path, headers=headers).status_code == 200
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def test_llm_stub_down_is_a_quick_502_with_nothing_half_written(stack):
    headers = stack.login()
    before = stack.message_count()
    stack.local.stop("llm-stub")
    try:
        started = time.perf_counter()
        response = stack.client.post("/api/chat", json={"message": "is anyone there?"}, headers=headers)
        elapsed_s = time.perf_counter() - started
        assert response.status_code in (502, 504)
        assert elapsed_s < 2, f"a refused connection should fail fast, took {elapsed_s:.1f}s"
        assert stack.message_count() == before, "no orphan user message"
        trace = wait_for_trace(trace_id_of(response), {("chat", "call_llm_service")})
        call = trace.one("call_llm_service")
        assert call.tags.get("otel.status_code") == "ERROR" or call.tags.get("error") is True
    finally:
        stack.local.start("llm-stub")
    response = stack.client.post("/api/chat", json={"message": "back?"}, headers=headers)
    assert response.status_code == 200
    assert stack.message_count() == before + 2


def test_collector_down_costs_requests_nothing_and_traces_resume(stack):
    headers = stack.login()
    # A cheap request (token check, cached avatar), so the export cost is not lost in the noise.
    _timed(stack.client, "/api/profile", headers, 5)  # warm up, fill the avatar cache
    baseline = statistics.median(_timed(stack.client, "/api/profile", headers, 25))
    stack.local.stop("otel-collector")
    try:
        degraded = statistics.median(_timed(stack.client, "/api/profile", headers, 25))
    finally:
        stack.local.start("otel-collector")
    assert degraded - baseline < COLLECTOR_DOWN_SLACK_MS, f"median {baseline:.1f} ms -> {degraded:.1f} ms"

    response = stack.client.get("/api/profile", headers=headers)
    # The exporter may be sleeping in its retry backoff when the collector returns: allow for it.
    wait_for_trace(trace_id_of(response), {("chat", "GET /api/profile"), ("auth", "POST /verify")}, timeout_s=45)


def test_mongo_down_is_503_and_chat_recovers(stack):
    headers = stack.login()
    stack.local.stop("mongo")
    try:
        assert stack.client.get("/readyz").status_code == 503
        started = time.perf_counter()
        response = stack.client.get("/api/conversations", headers=headers)
        assert response.status_code == 503
        assert time.perf_counter() - started < 5, "bounded by the driver's server selection timeout"
        assert stack.client.post("/api/chat", json={"message": "hello?"}, headers=headers).status_code == 503
    finally:
        stack.local.start("mongo")
    poll_until(lambda: stack.client.get("/readyz").status_code == 200, "chat /readyz to answer 200 again")
    assert stack.client.get("/api/conversations", headers=headers).status_code == 200
