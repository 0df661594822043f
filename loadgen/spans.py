"""The generator's client spans, recorded during the run and exported after it.

Each request carries a W3C `traceparent` made here, so the generator knows every request's trace
id, and chat's server span has a real parent. The spans themselves are built and sent only once
the run is over: encoding them during the run would take the interpreter away from the send loop
for tens of milliseconds at a time, and late sends would be the generator's fault, not the server's.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

SCOPE = InstrumentationScope("lab.loadgen", "0.1.0")
EXPORT_BATCH = 512


@dataclass(frozen=True)
class ClientSpan:
    trace_id: int
    span_id: int
    name: str
    start_ns: int
    end_ns: int
    attributes: dict
    failed: bool

    @property
    def trace_id_hex(self) -> str:
        return f"{self.trace_id:032x}"


class SpanRecorder:
    def __init__(self) -> None:
        # Never seeded: two runs must not reuse trace ids, or Jaeger would merge their traces.
        self._random = random.Random()
        self.spans: list[ClientSpan] = []

    def new_ids(self) -> tuple[int, int, str]:
        """(trace id, span id, traceparent header) for one request, sampled."""
        trace_id, span_id = self._random.getrandbits(128) or 1, self._random.getrandbits(64) or 1
        return trace_id, span_id, f"00-{trace_id:032x}-{span_id:016x}-01"

    def record(self, span: ClientSpan) -> None:
        self.spans.append(span)

    def export(self, resource: Resource, exporter: OTLPSpanExporter | None = None) -> bool:
        """Send every recorded span (OTEL_EXPORTER_OTLP_* configure where); False if any batch failed."""
        if os.environ.get("OTEL_TRACES_EXPORTER") == "none":
            return True
        exporter = exporter or OTLPSpanExporter()
        readable = [self._readable(span, resource) for span in self.spans]
        ok = True
        for start in range(0, len(readable), EXPORT_BATCH):
            ok &= exporter.export(readable[start : start + EXPORT_BATCH]).name == "SUCCESS"
        exporter.shutdown()
        return ok

    @staticmethod
    def _readable(span: ClientSpan, resource: Resource) -> ReadableSpan:
        context = SpanContext(span.trace_id, span.span_id, is_remote=False, trace_flags=TraceFlags(TraceFlags.SAMPLED))
        return ReadableSpan(
            name=span.name,
            context=context,
            parent=None,
            resource=resource,
            attributes=span.attributes,
            kind=SpanKind.CLIENT,
            status=Status(StatusCode.ERROR if span.failed else StatusCode.UNSET),
            start_time=span.start_ns,
            end_time=span.end_ns,
            instrumentation_scope=SCOPE,
        )
