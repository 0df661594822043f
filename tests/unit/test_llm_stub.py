import statistics

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.llm_stub.app import create_app
from services.llm_stub.completions import CompletionRequest, complete
from services.llm_stub.latency import LatencyModel
from services.llm_stub.settings import LlmStubSettings
from services.telemetry import setup_telemetry


def test_same_seed_same_sequence():
    settings = LlmStubSettings(llm_tail_probability=0.1, llm_error_rate=0.05)
    first = LatencyModel(settings.completion_profile(), settings.llm_seed)
    second = LatencyModel(settings.completion_profile(), settings.llm_seed)
    assert [first.draw() for _ in range(100)] == [second.draw() for _ in range(100)]


def test_distribution_has_the_configured_body_and_tail():
    settings = LlmStubSettings(llm_base_ms=100, llm_jitter_ms=50, llm_tail_probability=0.05, llm_tail_ms=2000, llm_seed=3)
    model = LatencyModel(settings.completion_profile(), settings.llm_seed)
    draws = [model.draw() for _ in range(20_000)]
    body = [d.delay_ms for d in draws if not d.in_tail]
    tail = [d.delay_ms for d in draws if d.in_tail]
    assert min(body) >= 100 and max(body) <= 150
    assert 0.04 < len(tail) / len(draws) < 0.06
    # Exponential tail with mean 2000 ms on top of the body's mean of 125 ms.
    assert 1900 < statistics.mean(tail) < 2350
    assert not any(d.fails for d in draws), "no errors unless asked for"


def test_error_rate():
    model = LatencyModel(LlmStubSettings(llm_error_rate=0.2).completion_profile(), 5)
    failures = sum(model.draw().fails for _ in range(10_000))
    assert 1800 < failures < 2200


def test_reply_is_deterministic_and_openai_shaped():
    request = CompletionRequest(messages=[{"role": "user", "content": "hello"}])
    first, second = complete(request), complete(request)
    assert first["choices"] == second["choices"]
    assert first["object"] == "chat.completion"
    assert first["choices"][0]["message"]["role"] == "assistant"
    assert first["usage"]["total_tokens"] == first["usage"]["prompt_tokens"] + first["usage"]["completion_tokens"]


async def test_endpoint_answers_and_fails_as_configured():
    exporter = InMemorySpanExporter()
    ok = create_app(LlmStubSettings(llm_base_ms=0, llm_jitter_ms=0), setup_telemetry("llm-stub", exporter))
    failing = create_app(LlmStubSettings(llm_base_ms=0, llm_jitter_ms=0, llm_error_rate=1), setup_telemetry("llm-stub", exporter))
    body = {"model": "lab-stub-1", "messages": [{"role": "user", "content": "hi"}]}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(ok), base_url="http://llm") as client:
        response = await client.post("/v1/chat/completions", json=body)
        assert response.status_code == 200 and response.json()["choices"][0]["message"]["content"]
        assert (await client.post("/v1/chat/completions", json={"messages": []})).status_code == 422
    async with httpx.AsyncClient(transport=httpx.ASGITransport(failing), base_url="http://llm") as client:
        assert (await client.post("/v1/chat/completions", json=body)).status_code == 503
    spans = {s.name for s in exporter.get_finished_spans()}
    assert "generate_completion" in spans
