"""Read traces back from Jaeger's HTTP query API, as a person's browser would."""

from __future__ import annotations

from diagnose.traces import Jaeger, Span, Trace  # noqa: F401  (the e2e tests' vocabulary)
from local_stack.components import JAEGER_URL
from tests.polling import poll_until

_jaeger = Jaeger(JAEGER_URL, timeout_s=5)


def fetch_trace(trace_id: str) -> Trace | None:
    return _jaeger.trace(trace_id)


def wait_for_trace(trace_id: str, expected_spans: set[tuple[str, str]], timeout_s: float = 30) -> Trace:
    """Poll until Jaeger holds the trace with every (service, span name) expected: spans arrive in batches."""

    def complete() -> Trace | None:
        trace = fetch_trace(trace_id)
        if trace and expected_spans <= {(s.service, s.name) for s in trace.spans}:
            return trace
        return None

    return poll_until(complete, f"trace {trace_id} in Jaeger with spans {sorted(expected_spans)}", timeout_s)
