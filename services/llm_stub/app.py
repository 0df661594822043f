"""llm-stub: stands in for two external APIs, an OpenAI-shaped model and an avatar service."""

from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request, status
from opentelemetry import trace

from services.llm_stub.completions import CompletionRequest, avatar_url, complete
from services.llm_stub.latency import Draw, LatencyModel, simulate
from services.llm_stub.settings import LlmStubSettings, get_settings
from services.telemetry import Telemetry, configure_logging, setup_telemetry

SERVICE_NAME = "llm-stub"


async def _respond_after(request: Request, span_name: str, draw: Draw) -> None:
    """Wait out the drawn latency inside a span that says it was simulated; fail if the draw says so."""
    with request.app.state.telemetry.tracer.start_as_current_span(span_name) as span:
        span.set_attribute("lab.simulated_delay_ms", round(draw.delay_ms, 1))
        span.set_attribute("lab.in_tail", draw.in_tail)
        await simulate(draw.delay_ms)
        if draw.fails:
            span.set_status(trace.StatusCode.ERROR, "simulated provider overload")
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "model overloaded, retry later")


async def chat_completions(body: CompletionRequest, request: Request) -> dict:
    await _respond_after(request, "generate_completion", request.app.state.completion_latency.draw())
    response = complete(body)
    span = trace.get_current_span()
    span.set_attribute("gen_ai.request.model", body.model)
    span.set_attribute("gen_ai.usage.input_tokens", response["usage"]["prompt_tokens"])
    span.set_attribute("gen_ai.usage.output_tokens", response["usage"]["completion_tokens"])
    return response


async def avatar(user_id: str, request: Request) -> dict:
    await _respond_after(request, "lookup_avatar", request.app.state.avatar_latency.draw())
    return {"url": avatar_url(user_id)}


async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    app.state.telemetry.shutdown()


def create_app(settings: LlmStubSettings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    settings = settings or get_settings()
    telemetry = telemetry or setup_telemetry(SERVICE_NAME)
    app = FastAPI(title=SERVICE_NAME, lifespan=lifespan)
    app.state.settings = settings
    app.state.telemetry = telemetry
    app.state.completion_latency = LatencyModel(settings.completion_profile(), settings.llm_seed)
    app.state.avatar_latency = LatencyModel(settings.avatar_profile(), settings.llm_seed + 1)
    app.add_api_route("/v1/chat/completions", chat_completions, methods=["POST"])
    app.add_api_route("/v1/avatars/{user_id}", avatar)
    app.add_api_route("/healthz", healthz)
    app.add_api_route("/readyz", healthz)
    telemetry.instrument_app(app, slow_request_ms=settings.slow_request_ms)
    return app


def main() -> FastAPI:
    """Entry point for uvicorn's --factory."""
    configure_logging(SERVICE_NAME)
    return create_app()
