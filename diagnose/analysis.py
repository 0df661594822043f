"""From many traces to a ranked list of culprits, each with the pattern that explains it."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from diagnose.critical_path import PathSegment, critical_path, root_of
from diagnose.traces import Span, Trace
from loadgen.stats import LatencyStats

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
EXAMPLES = 3
# A parent making this many identical calls in one request is an N+1, not a coincidence.
REPEAT_THRESHOLD = 4


@dataclass(frozen=True)
class Operation:
    """What is aggregated: a span's service and name, its statement shape, and the step it ran in."""

    service: str
    name: str
    statement: str
    within: str

    def label(self) -> str:
        return f"{self.service}: {self.name}" + (f"  (in {self.within})" if self.within else "")


def operation_of(segment: PathSegment, by_id: dict[str, Span], service: str) -> Operation:
    """Name a span by where it ran: its parent step, or for another service's span, the step of
    the studied service that called it ("lookup_avatar in fetch_avatar")."""
    span, parent = segment.span, segment.parent
    if parent is None:
        return Operation(span.service, span.name, span.statement, "")
    if span.service == service:
        return Operation(span.service, span.name, span.statement, parent.name)
    caller = parent
    while caller is not None and (caller.service != service or caller.name in HTTP_METHODS):
        caller = by_id.get(caller.parent_id or "")
    return Operation(span.service, span.name, span.statement, caller.name if caller else parent.name)


def service_root(trace: Trace, service: str) -> Span | None:
    """The request as the studied service saw it: its first server span; None if it has not arrived.

    A load generator's client span above it is left out: its extra time is the network and the
    generator, not an operation of the service.
    """
    servers = [s for s in trace.spans if s.service == service and s.kind == "server"]
    return min(servers, key=lambda s: s.start_us) if servers else None


@dataclass
class OperationStats:
    slow_us: int = 0
    normal_us: int = 0
    slow_traces: int = 0
    # Slow requests in which it took more of the critical path than anything else.
    dominated: int = 0
    calls_in_slow: int = 0
    max_siblings: int = 0
    unbounded: bool = False
    has_children: bool = False
    # The slowest traces it was on the path of: a min-heap of (its time there, trace id).
    examples: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OperationInTrace:
    self_us: int
    calls: int
    siblings: int
    unbounded: bool
    has_children: bool


@dataclass(frozen=True)
class TraceSummary:
    """What the analysis keeps of one trace: a few numbers per operation, not its spans."""

    trace_id: str
    endpoint: str
    duration_us: int
    operations: dict[Operation, OperationInTrace]


def summarize(trace: Trace, service: str) -> TraceSummary | None:
    """The critical path of the studied service's request, grouped by operation; None if absent."""
    root = service_root(trace, service)
    if root is None:
        return None
    path = critical_path(trace, root)
    by_id = {s.span_id: s for s in trace.spans}
    children = Counter(s.parent_id for s in trace.spans)
    siblings = Counter((s.parent_id, s.service, s.name, s.statement) for s in trace.spans)
    grouped: dict[Operation, list[PathSegment]] = defaultdict(list)
    for segment in path:
        grouped[operation_of(segment, by_id, service)].append(segment)
    return TraceSummary(
        trace.trace_id,
        root.name,
        root.duration_us,
        {
            operation: OperationInTrace(
                self_us=sum(seg.self_us for seg in segments),
                calls=len(segments),
                siblings=max(siblings[(g.span.parent_id, g.span.service, g.span.name, g.span.statement)] for g in segments),
                unbounded=any(_unbounded(g.span, trace) for g in segments),
                has_children=any(children[g.span.span_id] for g in segments),
            )
            for operation, segments in grouped.items()
        },
    )


@dataclass
class Analysis:
    threshold_ms: float
    threshold_rule: str
    traces: int = 0
    slow: int = 0
    normal: int = 0
    slow_total_us: int = 0
    normal_total_us: int = 0
    incomplete: int = 0
    operations: dict[Operation, OperationStats] = field(default_factory=lambda: defaultdict(OperationStats))
    endpoints: dict[str, LatencyStats] = field(default_factory=lambda: defaultdict(LatencyStats))

    def add(self, trace: Trace, service: str) -> None:
        self.add_summary(summarize(trace, service), orphans=root_of(trace)[1])

    def add_summary(self, summary: TraceSummary | None, orphans: int = 0) -> None:
        self.traces += 1
        # Still arriving (the service's spans are not in Jaeger yet) or broken: counted, not judged.
        self.incomplete += orphans > 0 or summary is None
        if summary is None:
            return
        self.endpoints[summary.endpoint].record(summary.duration_us / 1e6, "ok")
        if summary.duration_us < self.threshold_ms * 1000:
            self.normal += 1
            self.normal_total_us += summary.duration_us
            for operation, seen in summary.operations.items():
                self.operations[operation].normal_us += seen.self_us
            return
        self.slow += 1
        self.slow_total_us += summary.duration_us
        self.operations[max(summary.operations, key=lambda o: summary.operations[o].self_us)].dominated += 1
        for operation, seen in summary.operations.items():
            stats = self.operations[operation]
            stats.slow_us += seen.self_us
            stats.slow_traces += 1
            stats.calls_in_slow += seen.calls
            stats.max_siblings = max(stats.max_siblings, seen.siblings)
            stats.unbounded |= seen.unbounded
            stats.has_children |= seen.has_children
            entry = (seen.self_us, summary.trace_id)
            if len(stats.examples) < EXAMPLES:
                heapq.heappush(stats.examples, entry)
            elif entry > stats.examples[0]:
                heapq.heapreplace(stats.examples, entry)

    def excess_us(self, stats: OperationStats) -> float:
        """How much more critical-path time it costs a slow request than a normal one, on average.

        These add up, over all operations, to the gap between the two groups' mean latencies: the
        ranking splits that gap. Slow everywhere is a cost; slow only in the tail is a culprit.
        """
        slow_mean = stats.slow_us / self.slow if self.slow else 0.0
        normal_mean = stats.normal_us / self.normal if self.normal else 0.0
        return slow_mean - normal_mean

    def ranked(self) -> list[tuple[Operation, OperationStats, float, float]]:
        """(operation, stats, share of slow-trace latency, share of normal-trace latency), worst first."""
        rows = []
        for operation, stats in self.operations.items():
            slow_share = stats.slow_us / self.slow_total_us if self.slow_total_us else 0.0
            normal_share = stats.normal_us / self.normal_total_us if self.normal_total_us else 0.0
            if stats.slow_us:
                rows.append((operation, stats, slow_share, normal_share))
        return sorted(rows, key=lambda r: self.excess_us(r[1]), reverse=True)


def _unbounded(span: Span, trace: Trace) -> bool:
    """A find with no limit that came back in several batches: it returned whatever it matched."""
    if not span.statement.startswith("find ") or " limit " in f"{span.statement} ":
        return False
    collection = span.statement.split(" ")[1]
    return any(s.name == f"getMore {collection}" and s.parent_id == span.parent_id for s in trace.spans)


def pattern(operation: Operation, stats: OperationStats, service: str = "chat") -> str:
    """Which of the lab's culprit shapes this one has, in a phrase; `service` is the one studied."""
    is_db = bool(operation.statement)
    per_trace = stats.calls_in_slow / max(1, stats.slow_traces)
    if is_db and stats.max_siblings >= REPEAT_THRESHOLD:
        return f"N+1 queries: the same query repeated up to {stats.max_siblings} times side by side in one request"
    if is_db and stats.unbounded:
        return "unbounded query: a find with no limit, fetching batch after batch of everything it matches"
    if is_db:
        return f"one dominating database call ({per_trace:.1f} per slow request)"
    if operation.name in HTTP_METHODS or operation.service != service:
        return "slow outbound call: the request waits on another service"
    if not stats.has_children:
        return "time spent in the span itself (CPU: building or serializing a response)"
    return "time spent in the span itself, between its children"
