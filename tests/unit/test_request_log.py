"""The seed's step 1: one JSON line per request, with the ids that lead to its trace."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from fastapi import FastAPI, Request
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.telemetry import setup_telemetry
from services.telemetry.request_log import JsonFormatter


def _app(exporter: InMemorySpanExporter, slow_request_ms: float) -> FastAPI:
    app = FastAPI()

    @app.post("/things")
    async def things(request: Request) -> dict:
        request.state.user_id = "user-0042"
        return {"ok": True}

    @app.get("/healthz")
    async def healthz() -> dict:
        return {}

    setup_telemetry("demo", exporter).instrument_app(app, slow_request_ms=slow_request_ms)
    return app


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="request")
    formatter = JsonFormatter("demo")
    return lambda: [json.loads(formatter.format(r)) for r in caplog.records if r.name == "request"]


async def test_one_json_line_per_request_with_its_trace(lines):
    exporter = InMemorySpanExporter()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(_app(exporter, 10_000)), base_url="http://t") as client:
        response = await client.post("/things", json={"message": "do not log me"})
        await client.get("/healthz")
    [line] = lines()
    server = next(s for s in exporter.get_finished_spans() if s.name.startswith("POST"))
    assert line["level"] == "INFO" and line["service"] == "demo"
    assert {k: line[k] for k in ("method", "path", "status", "user_id")} == {
        "method": "POST", "path": "/things", "status": 200, "user_id": "user-0042"
    }  # fmt: skip
    assert line["trace_id"] == f"{server.context.trace_id:032x}"
    assert line["span_id"] == f"{server.context.span_id:016x}"
    assert isinstance(line["latency_ms"], float)
    assert "do not log me" not in json.dumps(line)
    assert response.headers["traceresponse"] == f"00-{line['trace_id']}-{line['span_id']}-01"


async def test_slow_requests_are_warnings(lines):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(_app(InMemorySpanExporter(), 0)), base_url="http://t") as client:
        await client.post("/things")
    [line] = lines()
    assert line["level"] == "WARNING" and line["msg"] == "slow request"


async def test_probes_are_neither_logged_nor_traced(lines):
    exporter = InMemorySpanExporter()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(_app(exporter, 10_000)), base_url="http://t") as client:
        assert (await client.get("/healthz")).status_code == 200
    assert lines() == [] and exporter.get_finished_spans() == ()
