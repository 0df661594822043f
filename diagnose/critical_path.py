"""The critical path of a trace: the chain of spans that set its end-to-end latency.

Walking back from the root's end, the last child to finish before the cursor is on the path; the
gap between it and the cursor is the parent's own (self) time; the cursor then moves to that
child's start. Children running in the shadow of a longer sibling are not on the path. Child
times are clamped into their parent's, so clock skew between services cannot create time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from diagnose.traces import Span, Trace


@dataclass(frozen=True)
class PathSegment:
    span: Span
    self_us: int
    # The span's parent, for naming ("find messages in fetch_previews"); None for the root.
    parent: Span | None


def root_of(trace: Trace) -> tuple[Span, int]:
    """The request's root, and how many other spans have no parent in the trace (orphans)."""
    ids = {s.span_id for s in trace.spans}
    roots = [s for s in trace.spans if s.parent_id is None or s.parent_id not in ids]
    root = max(roots, key=lambda s: (s.parent_id is None, s.duration_us))
    return root, len(roots) - 1


def critical_path(trace: Trace, root: Span | None = None) -> list[PathSegment]:
    """Segments whose self times add up to the duration of `root` (default: the trace's root)."""
    children: dict[str, list[Span]] = defaultdict(list)
    for span in trace.spans:
        if span.parent_id:
            children[span.parent_id].append(span)
    root = root or root_of(trace)[0]
    path: list[PathSegment] = []
    # An explicit stack, not recursion: (span, its parent, clamped start, clamped end).
    stack = [(root, None, root.start_us, root.end_us)]
    while stack:
        span, parent, start, end = stack.pop()
        cursor, self_us = end, 0
        for child in sorted(children[span.span_id], key=lambda c: c.end_us, reverse=True):
            child_start, child_end = max(child.start_us, start), min(child.end_us, end)
            if child_end > cursor or child_end <= child_start:
                continue  # overlapped by a later sibling already on the path, or outside the parent
            self_us += cursor - child_end
            stack.append((child, span, child_start, child_end))
            cursor = child_start
        self_us += max(0, cursor - start)
        path.append(PathSegment(span, self_us, parent))
    return path
