"""The three services wired together in one process, on a real MongoDB-protocol server.

Each service has its own tracer provider (its own `service.name`) writing to one in-memory
exporter, and each runs in an empty `contextvars.Context`, as if in its own process: the only
way a trace crosses from chat to auth or llm-stub is the `traceparent` header.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import os
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.auth import app as auth_app
from services.auth.settings import AuthSettings
from services.chat import app as chat_app
from services.chat.settings import ChatSettings
from services.llm_stub import app as llm_app
from services.llm_stub.settings import LlmStubSettings
from services.seed.__main__ import seed
from services.telemetry import setup_telemetry
from local_stack import components as spec
from tests import backends

JWT_SECRET = "unit-test-signing-key-of-32-bytes-or-more"
PASSWORD = "unit-test-password"
ADMIN_TOKEN = "unit-test-admin-token"
SEED_USERS = 3


class IsolatedASGITransport(httpx.ASGITransport):
    """Serve the request in a fresh, empty context: nothing but headers reaches the callee."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await asyncio.create_task(super().handle_async_request(request), context=contextvars.Context())


@dataclass
class Lab:
    client: httpx.AsyncClient
    db: AsyncDatabase
    exporter: InMemorySpanExporter
    chat_settings: ChatSettings
    auth_settings: AuthSettings
    # The running auth app, for building a second chat with a broken llm-stub.
    auth_app: FastAPI

    async def token(self, user_id: str) -> str:
        response = await self.client.post("/api/login", json={"username": user_id, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    async def headers(self, user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(user_id)}"}

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    async def fingerprint(self) -> dict[str, tuple[int, str]]:
        """Count and newest _id of each collection chat writes: equal fingerprints, unchanged data."""
        result = {}
        for name in ("conversations", "messages", "permissions"):
            newest = await self.db[name].find_one(sort=[("_id", -1)])
            result[name] = (await self.db[name].count_documents({}), str(newest["_id"]) if newest else "")
        return result


def _backend(name: str, url_variable: str, default_url: str, port: int, hint: str):
    url, started_here = backends.ensure(name, url_variable, default_url, port)
    if not url:
        reason = f"no {name} server: set {url_variable}, or {hint}"
        if backends.REQUIRE:
            pytest.fail(reason)
        pytest.skip(reason)
    yield url
    if started_here:
        backends.stop(name)


@pytest.fixture(scope="session")
def mongo_url() -> str:
    yield from _backend("mongo", "MONGO_URL", spec.DEFAULT_MONGO_URL, spec.MONGO_PORT, "run `make tools` to build FerretDB")


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = f"redis://{spec.HOST}:{spec.REDIS_PORT}/0"
    yield from _backend("redis", "REDIS_URL", url, spec.REDIS_PORT, "install Debian's redis-server (`make tools`)")


def chat_with_llm(lab: Lab, llm_transport: httpx.AsyncBaseTransport) -> tuple[FastAPI, InMemorySpanExporter]:
    """A second chat on the same database and auth, with llm-stub replaced (for failure cases).

    It gets an exporter and transports of its own: its lifespan shuts its provider down, and
    httpx instrumentation wraps the transport instance it is given.
    """
    exporter = InMemorySpanExporter()
    app = chat_app.create_app(
        lab.chat_settings, setup_telemetry("chat", exporter), {"auth": IsolatedASGITransport(lab.auth_app), "llm": llm_transport}
    )
    return app, exporter


@pytest.fixture(scope="session")
async def lab(mongo_url: str, redis_url: str):
    db_name = f"labtest_{os.getpid()}"
    await seed(
        argparse.Namespace(mongo_url=mongo_url, db=db_name, users=SEED_USERS, messages=300, seed=1, force=True), PASSWORD
    )
    exporter = InMemorySpanExporter()
    auth_settings = AuthSettings(jwt_secret=JWT_SECRET, mongo_url=mongo_url, mongo_db=db_name)
    chat_settings = ChatSettings(
        mongo_url=mongo_url,
        mongo_db=db_name,
        redis_url=redis_url,
        auth_url="http://auth",
        llm_url="http://llm-stub",
        admin_token=ADMIN_TOKEN,
        lab_scenarios="none",  # every fix on: tests of a scenario turn it on themselves
    )
    auth = auth_app.create_app(auth_settings, setup_telemetry("auth", exporter))
    stub_settings = LlmStubSettings(llm_base_ms=1, llm_jitter_ms=0, avatar_base_ms=1, avatar_jitter_ms=0, avatar_tail_probability=0)
    llm = llm_app.create_app(stub_settings, setup_telemetry("llm-stub", exporter))
    chat = chat_app.create_app(
        chat_settings,
        setup_telemetry("chat", exporter),
        {"auth": IsolatedASGITransport(auth), "llm": IsolatedASGITransport(llm)},
    )
    mongo = AsyncMongoClient(mongo_url, tz_aware=True)
    async with (
        auth.router.lifespan_context(auth),
        llm.router.lifespan_context(llm),
        chat.router.lifespan_context(chat),
        httpx.AsyncClient(transport=IsolatedASGITransport(chat), base_url="http://chat") as client,
    ):
        yield Lab(client, mongo[db_name], exporter, chat_settings, auth_settings, auth)
    await mongo.close()
    # A fresh client: the end-to-end fault tests restart the server, leaving the pool above with
    # closed connections by the time this session-wide teardown runs.
    async with AsyncMongoClient(mongo_url) as cleanup:
        await cleanup.drop_database(db_name)
