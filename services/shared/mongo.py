"""One way to open the database, so every service's Mongo commands are traced the same way."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.utils import suppress_instrumentation
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure

from services.shared.settings import MongoSettings
from services.telemetry import Telemetry


def connect(settings: MongoSettings, telemetry: Telemetry) -> AsyncMongoClient:
    """An AsyncMongoClient whose commands become child spans of the current request.

    The listener is attached here, at creation: a client created without it records no spans.
    """
    return AsyncMongoClient(
        settings.mongo_url,
        event_listeners=[telemetry.mongo_listener()],
        serverSelectionTimeoutMS=settings.mongo_timeout_ms,
        connectTimeoutMS=settings.mongo_timeout_ms,
        tz_aware=True,
    )


async def ping(db: AsyncDatabase) -> None:
    """Raise if the server cannot be reached. Untraced: readiness probes are not requests."""
    with suppress_instrumentation():
        await db.command("ping")


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": "database unavailable"}, status_code=503)


def install_error_handlers(app: FastAPI) -> None:
    """An unreachable database is a 503 the client may retry, never a 500."""
    app.add_exception_handler(ConnectionFailure, _database_unavailable)
