"""The seed's step 1, done for every service: one JSON line per request, a WARNING when it is slow.

Each line carries the trace and span ids, so a slow line in the logs leads straight to its trace
in Jaeger. Responses carry the same ids in a W3C `traceresponse` header for the caller.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import orjson
from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Probes run every few seconds; logging or tracing them would bury the requests a person came to see.
PROBE_PATHS = ("/healthz", "/readyz")


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object; structured fields come from `extra={"fields": {...}}`."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "service": self.service_name,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        payload.update(getattr(record, "fields", {}))
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(payload, default=str).decode()


def configure_logging(service_name: str, level: int = logging.INFO) -> None:
    """Send every log record of the process to stdout as JSON lines."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Uvicorn's access log and httpx's per-call lines would repeat what the request line and the
    # trace already say, without the trace id.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)


class RequestLogMiddleware:
    """Pure ASGI middleware, installed inside the OpenTelemetry server span so it can read its ids."""

    def __init__(self, app: ASGIApp, *, slow_request_ms: float, logger_name: str = "request") -> None:
        self.app = app
        self.slow_request_ms = slow_request_ms
        self.logger = logging.getLogger(logger_name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        span_context = trace.get_current_span().get_span_context()
        status = 500  # what the client gets if the app raises before answering

        async def send_with_trace_header(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if span_context.is_valid:
                    header = f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-01"
                    message.setdefault("headers", []).append((b"traceresponse", header.encode()))
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_trace_header)
        finally:
            if scope["path"] not in PROBE_PATHS:
                self._log(scope, status, (time.perf_counter() - started) * 1000, span_context)

    def _log(self, scope: Scope, status: int, latency_ms: float, span_context: trace.SpanContext) -> None:
        fields = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "latency_ms": round(latency_ms, 1),
            "user_id": scope.get("state", {}).get("user_id"),
            "trace_id": f"{span_context.trace_id:032x}" if span_context.is_valid else None,
            "span_id": f"{span_context.span_id:016x}" if span_context.is_valid else None,
        }
        if latency_ms > self.slow_request_ms:
            self.logger.warning("slow request", extra={"fields": fields})
        else:
            self.logger.info("request", extra={"fields": fields})
