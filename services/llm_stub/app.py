"""llm-stub: an OpenAI-shaped chat completions endpoint with a configurable latency distribution."""

from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request, status
from opentelemetry import trace

from services.llm_stub.completions import CompletionRequest, complete
from services.llm_stub.latency import LatencyModel, simulate
from services.llm_stub.settings import LlmStubSettings, get_settings
from services.telemetry import Telemetry, configure_logging, setup_telemetry

SERVICE_NAME = "llm-stub"


async def chat_completions(body: CompletionRequest, request: Request) -> dict:
    draw = request.app.state.latency.draw()
    with request.app.state.telemetry.tracer.start_as_current_span("generate_completion") as span:
        span.set_attribute("gen_ai.request.model", body.model)
        span.set_attribute("lab.llm.simulated_delay_ms", round(draw.delay_ms, 1))
        span.set_attribute("lab.llm.in_tail", draw.in_tail)
        await simulate(draw.delay_ms)
        if draw.fails:
            span.set_status(trace.StatusCode.ERROR, "simulated provider overload")
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "model overloaded, retry later")
        response = complete(body)
        span.set_attribute("gen_ai.usage.input_tokens", response["usage"]["prompt_tokens"])
        span.set_attribute("gen_ai.usage.output_tokens", response["usage"]["completion_tokens"])
    return response


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
    app.state.latency = LatencyModel(settings)
    app.add_api_route("/v1/chat/completions", chat_completions, methods=["POST"])
    app.add_api_route("/healthz", healthz)
    app.add_api_route("/readyz", healthz)
    telemetry.instrument_app(app, slow_request_ms=settings.slow_request_ms)
    return app


def main() -> FastAPI:
    """Entry point for uvicorn's --factory."""
    configure_logging(SERVICE_NAME)
    return create_app()
