"""Read traces back from Jaeger's HTTP query API, as a person's browser would."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from local_stack.components import JAEGER_URL
from tests.polling import poll_until


@dataclass(frozen=True)
class Span:
    span_id: str
    parent_id: str | None
    service: str
    name: str
    duration_us: int
    tags: dict = field(hash=False)


@dataclass(frozen=True)
class Trace:
    trace_id: str
    spans: list[Span]

    def named(self, name: str, service: str | None = None) -> list[Span]:
        return [s for s in self.spans if s.name == name and (service is None or s.service == service)]

    def one(self, name: str, service: str | None = None) -> Span:
        found = self.named(name, service)
        assert len(found) == 1, f"expected one {service or ''}:{name} span, found {len(found)}"
        return found[0]

    def services(self) -> set[str]:
        return {s.service for s in self.spans}

    def children(self, parent: Span) -> list[Span]:
        return [s for s in self.spans if s.parent_id == parent.span_id]


def fetch_trace(trace_id: str) -> Trace | None:
    response = httpx.get(f"{JAEGER_URL}/api/traces/{trace_id}", timeout=5)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    [data] = response.json()["data"]
    services = {key: process["serviceName"] for key, process in data["processes"].items()}
    spans = []
    for raw in data["spans"]:
        parents = [r["spanID"] for r in raw["references"] if r["refType"] == "CHILD_OF"]
        spans.append(
            Span(
                span_id=raw["spanID"],
                parent_id=parents[0] if parents else None,
                service=services[raw["processID"]],
                name=raw["operationName"],
                duration_us=raw["duration"],
                tags={t["key"]: t["value"] for t in raw["tags"]},
            )
        )
    return Trace(trace_id, spans)


def wait_for_trace(trace_id: str, expected_spans: set[tuple[str, str]], timeout_s: float = 30) -> Trace:
    """Poll until Jaeger holds the trace with every (service, span name) expected: spans arrive in batches."""

    def complete() -> Trace | None:
        trace = fetch_trace(trace_id)
        if trace and expected_spans <= {(s.service, s.name) for s in trace.spans}:
            return trace
        return None

    return poll_until(complete, f"trace {trace_id} in Jaeger with spans {sorted(expected_spans)}", timeout_s)
