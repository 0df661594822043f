"""Traces as Jaeger's HTTP query API returns them, read into plain spans, page by page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class Span:
    span_id: str
    parent_id: str | None
    service: str
    name: str
    start_us: int
    duration_us: int
    tags: dict = field(hash=False, compare=False)
    kind: str = ""

    @property
    def end_us(self) -> int:
        return self.start_us + self.duration_us

    @property
    def statement(self) -> str:
        return self.tags.get("db.statement", "")


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


def parse_trace(data: dict) -> Trace:
    """One element of the API's `data` list."""
    services = {key: process["serviceName"] for key, process in data["processes"].items()}
    spans = []
    for raw in data["spans"]:
        parents = [r["spanID"] for r in raw.get("references", []) if r["refType"] == "CHILD_OF"]
        tags = {t["key"]: t["value"] for t in raw.get("tags", [])}
        spans.append(
            Span(
                span_id=raw["spanID"],
                parent_id=parents[0] if parents else None,
                service=services[raw["processID"]],
                name=raw["operationName"],
                start_us=raw["startTime"],
                duration_us=raw["duration"],
                tags=tags,
                kind=tags.get("span.kind", ""),
            )
        )
    return Trace(data["traceID"], spans)


class JaegerError(RuntimeError):
    """Jaeger could not be reached or answered with an error; the message says which."""


class Jaeger:
    def __init__(self, url: str, timeout_s: float = 30, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout_s, transport=transport)

    def _get(self, path: str, **params) -> httpx.Response:
        try:
            return self.http.get(path, params=params)
        except httpx.HTTPError as error:
            raise JaegerError(f"cannot reach Jaeger at {self.url}: {type(error).__name__}") from error

    def trace(self, trace_id: str) -> Trace | None:
        response = self._get(f"/api/traces/{trace_id}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise JaegerError(f"Jaeger answered {response.status_code} for trace {trace_id}")
        return parse_trace(response.json()["data"][0])

    def search(self, service: str, start_us: int, end_us: int, page_size: int = 500) -> Iterator[Trace]:
        """Every trace of `service` in [start_us, end_us], one page in memory at a time.

        Jaeger returns at most `page_size` traces per call, in no promised order. A window that
        comes back full is cut in two and each half asked again, until every window fits in a page.
        """
        seen: set[str] = set()
        windows = [(start_us, end_us)]
        while windows:
            low, high = windows.pop()
            response = self._get("/api/traces", service=service, start=low, end=high, limit=page_size)
            if response.status_code != 200:
                raise JaegerError(f"Jaeger answered {response.status_code} to a trace search")
            page = response.json()["data"] or []
            if len(page) >= page_size and high - low > 1:
                middle = (low + high) // 2
                windows += [(middle + 1, high), (low, middle)]
                continue
            for data in page:
                if data["traceID"] not in seen:  # a trace whose spans straddle two windows
                    seen.add(data["traceID"])
                    yield parse_trace(data)
