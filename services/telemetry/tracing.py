"""Tracing set up once for every service: resource, OTLP export, and the instrumented clients.

Each service builds one `Telemetry` in `create_app` and hands its tracer to the code that opens
spans, the way HotROD passes a tracer to each service. Nothing here touches the global
provider, so tests can run several services in one process, each with its own resource.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.pymongo import CommandTracer
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import OTELResourceDetector, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Span
from pymongo import monitoring
from redis.asyncio import Redis

from services.telemetry.mongo_shape import collection_of, statement_shape
from services.telemetry.request_log import PROBE_PATHS, RequestLogMiddleware

SERVICE_VERSION = "0.1.0"


def resource_for(service_name: str) -> Resource:
    """What a process reports itself as: name, version, environment; OTEL_* variables win."""
    defaults = {
        "service.name": service_name,
        "service.version": SERVICE_VERSION,
        "deployment.environment": os.environ.get("DEPLOYMENT_ENVIRONMENT", "dev"),
    }
    # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over the defaults.
    return Resource.create(defaults).merge(OTELResourceDetector().detect())


def _name_mongo_span(span: Span, event: monitoring.CommandStartedEvent) -> None:
    """Name Mongo spans `find messages` (semantic conventions) and record the redacted shape."""
    collection = collection_of(event.command_name, event.command)
    if collection:
        span.update_name(f"{event.command_name} {collection}")
    span.set_attribute("db.statement", statement_shape(event.command_name, event.command))


@dataclass
class Telemetry:
    """One service's tracer provider and the instrumentation bound to it."""

    service_name: str
    provider: TracerProvider
    tracer: trace.Tracer = field(init=False)

    def __post_init__(self) -> None:
        self.tracer = self.provider.get_tracer(f"lab.{self.service_name}", SERVICE_VERSION)

    def instrument_app(self, app: FastAPI, *, slow_request_ms: float) -> None:
        """Server spans for every route except the probes, plus the JSON request log inside them.

        The ASGI send/receive sub-spans are left out: they are noise in a tree read by eye.
        """
        app.add_middleware(RequestLogMiddleware, slow_request_ms=slow_request_ms)
        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=self.provider,
            excluded_urls=",".join(PROBE_PATHS),
            exclude_spans=["receive", "send"],
        )

    def instrument_http_client(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        """Client spans and W3C `traceparent` injection for calls to other services."""
        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=self.provider)
        return client

    def instrument_redis(self, client: Redis) -> None:
        """Spans for every command of this Redis client (cache hits and misses show in the trace)."""
        RedisInstrumentor.instrument_client(client, tracer_provider=self.provider)

    def mongo_listener(self) -> monitoring.CommandListener:
        """A command listener to pass to `AsyncMongoClient(event_listeners=[...])`."""
        return CommandTracer(self.tracer, request_hook=_name_mongo_span)

    def shutdown(self) -> None:
        """Flush buffered spans and stop the export thread."""
        self.provider.shutdown()


def setup_telemetry(service_name: str, exporter: SpanExporter | None = None) -> Telemetry:
    """Build a service's provider: OTLP/HTTP in batches by default, or `exporter` synchronously (tests).

    The OTLP exporter reads the standard OTEL_EXPORTER_OTLP_* variables and the batch processor
    the OTEL_BSP_* ones.
    """
    provider = TracerProvider(resource=resource_for(service_name))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif os.environ.get("OTEL_TRACES_EXPORTER", "otlp") != "none":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return Telemetry(service_name, provider)
