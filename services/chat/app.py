"""chat: the public API on :8000. This file only assembles the service; routes live in routes.py."""

import logging
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from pymongo.errors import ConnectionFailure
from redis.asyncio import Redis

from services.chat import admin, routes
from services.chat.avatars import AvatarClient
from services.chat.clients import AuthClient, LlmClient
from services.chat.scenarios import ScenarioSwitch, parse_names
from services.chat.settings import ChatSettings, get_settings
from services.chat.store import ChatStore
from services.shared import mongo
from services.telemetry import Telemetry, configure_logging, setup_telemetry

SERVICE_NAME = "chat"
log = logging.getLogger("chat")


async def healthz() -> dict[str, str]:
    """The process is up; says nothing about its dependencies."""
    return {"status": "ok"}


async def readyz(request: Request) -> dict[str, str]:
    """Ready to serve: MongoDB answers. An unreachable database becomes 503 via the error handler."""
    await mongo.ping(request.app.state.store.db)
    return {"status": "ready"}


async def _scenario_switch(store: ChatStore, settings: ChatSettings) -> ScenarioSwitch:
    """The switches as last set (kept in the database), else LAB_SCENARIOS; the index made to match."""
    configured = parse_names(settings.lab_scenarios)
    try:
        saved = await store.load_scenarios()
        active = configured if saved is None else saved
        await store.set_messages_index(present="missing_index" not in active)
    except ConnectionFailure:
        log.warning("MongoDB unreachable at start: scenarios %s assumed, index not checked", sorted(configured))
        active = configured

    async def apply_change(name: str, on: bool) -> None:
        if name == "missing_index":
            await store.set_messages_index(present=not on)

    return ScenarioSwitch(active, apply_change, store.save_scenarios)


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings: ChatSettings = app.state.settings
    telemetry: Telemetry = app.state.telemetry
    transports = app.state.transports
    mongo_client = mongo.connect(settings, telemetry)
    auth_http = telemetry.instrument_http_client(
        httpx.AsyncClient(base_url=settings.auth_url, timeout=settings.auth_timeout_s, transport=transports.get("auth"))
    )
    llm_http = telemetry.instrument_http_client(
        httpx.AsyncClient(base_url=settings.llm_url, timeout=settings.llm_timeout_s, transport=transports.get("llm"))
    )
    cache = Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
    telemetry.instrument_redis(cache)
    store = ChatStore(mongo_client[settings.mongo_db], telemetry.tracer)
    app.state.store = store
    app.state.auth = AuthClient(auth_http, telemetry.tracer)
    app.state.llm = LlmClient(llm_http, telemetry.tracer, settings.llm_model)
    # The avatar service is the other external API llm-stub stands in for.
    app.state.avatars = AvatarClient(
        llm_http, cache, telemetry.tracer, settings.avatar_timeout_s, settings.avatar_cache_ttl_s
    )
    app.state.scenarios = await _scenario_switch(store, settings)
    yield
    await cache.aclose()
    await llm_http.aclose()
    await auth_http.aclose()
    await mongo_client.close()
    telemetry.shutdown()


def create_app(
    settings: ChatSettings | None = None,
    telemetry: Telemetry | None = None,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """Build chat. Tests pass their own telemetry and httpx transports ({"auth": ..., "llm": ...})."""
    settings = settings or get_settings()
    app = FastAPI(title=SERVICE_NAME, lifespan=lifespan)
    app.state.settings = settings
    app.state.telemetry = telemetry or setup_telemetry(SERVICE_NAME)
    app.state.tracer = app.state.telemetry.tracer
    app.state.transports = transports or {}
    app.include_router(routes.router)
    app.include_router(admin.router)
    app.add_api_route("/healthz", healthz)
    app.add_api_route("/readyz", readyz)
    mongo.install_error_handlers(app)
    app.state.telemetry.instrument_app(app, slow_request_ms=settings.slow_request_ms)
    return app


def main() -> FastAPI:
    """Entry point for uvicorn's --factory: logging first, so start-up messages are JSON too."""
    configure_logging(SERVICE_NAME)
    return create_app()
