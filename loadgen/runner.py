"""Send requests at their intended times, measure each from that time, and keep each one's trace id."""

from __future__ import annotations

import asyncio
import gc
import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from loadgen.schedule import arrival_offsets
from loadgen.spans import ClientSpan, SpanRecorder
from loadgen.stats import LatencyStats
from loadgen.traffic import Request, TrafficMix


@dataclass(frozen=True)
class Sample:
    latency_s: float
    action: str
    outcome: str
    trace_id: str


@dataclass
class Results:
    overall: LatencyStats = field(default_factory=LatencyStats)
    by_action: dict[str, LatencyStats] = field(default_factory=dict)
    # Actual minus intended send time: how far the generator itself fell behind.
    send_lag: LatencyStats = field(default_factory=LatencyStats)
    late: int = 0
    scheduled: int = 0
    elapsed_s: float = 0.0
    slowest: list[tuple[float, int, Sample]] = field(default_factory=list)  # a min-heap of the N slowest
    _order: int = 0

    def add(self, sample: Sample, lag_s: float, late_s: float, keep: int) -> None:
        self.overall.record(sample.latency_s, sample.outcome)
        if sample.action not in self.by_action:
            self.by_action[sample.action] = LatencyStats()
        self.by_action[sample.action].record(sample.latency_s, sample.outcome)
        self.send_lag.record(lag_s, "sent")
        self.late += lag_s > late_s
        self._order += 1
        entry = (sample.latency_s, self._order, sample)
        if len(self.slowest) < keep:
            heapq.heappush(self.slowest, entry)
        elif entry > self.slowest[0]:
            heapq.heapreplace(self.slowest, entry)

    def slowest_first(self) -> list[Sample]:
        return [sample for _, _, sample in sorted(self.slowest, reverse=True)]


@dataclass(frozen=True)
class Plan:
    rate: float
    duration_s: float
    start_rate: float | None = None
    max_in_flight: int = 256
    # A send later than this behind its intended time counts as late (it is still sent and measured).
    late_ms: float = 10.0
    keep_slowest: int = 10


class OpenModelRunner:
    def __init__(self, client: httpx.AsyncClient, traffic: TrafficMix, spans: SpanRecorder, plan: Plan) -> None:
        self.client = client
        self.traffic = traffic
        self.spans = spans
        self.plan = plan
        self.results = Results()
        self.in_flight = 0
        self._slots = asyncio.Semaphore(plan.max_in_flight)

    async def run(self, on_tick: Callable[["OpenModelRunner", float], None] | None = None) -> Results:
        offsets = list(arrival_offsets(self.plan.rate, self.plan.duration_s, self.plan.start_rate))
        self.results.scheduled = len(offsets)
        # Everything made so far lives through the run: keep the collector from rescanning it, which
        # otherwise stalls the send loop for tens of milliseconds now and then.
        gc.collect()
        gc.freeze()
        loop = asyncio.get_running_loop()
        started = loop.time() + 0.05
        ticker = asyncio.create_task(self._tick(on_tick, started)) if on_tick else None
        tasks = set()
        for offset in offsets:
            intended = started + offset
            delay = intended - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(self._one(self.traffic.next_request(), intended))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
        self.results.elapsed_s = loop.time() - started
        if ticker:
            ticker.cancel()
        return self.results

    async def _tick(self, on_tick: Callable, started: float) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(1)
            on_tick(self, loop.time() - started)

    async def _one(self, request: Request, intended: float) -> None:
        loop = asyncio.get_running_loop()
        trace_id, span_id, traceparent = self.spans.new_ids()
        # Past the in-flight cap, a request waits for a slot; its wait counts in its latency and its lag.
        async with self._slots:
            self.in_flight += 1
            sent, start_ns = loop.time(), time.time_ns()
            try:
                response = await self.client.request(
                    request.method, request.path, json=request.body, headers={**request.headers, "traceparent": traceparent}
                )
                outcome = str(response.status_code)
            except httpx.HTTPError as error:
                outcome = type(error).__name__
            done, end_ns = loop.time(), time.time_ns()
            self.in_flight -= 1
        lag_s = sent - intended
        attributes = {
            "http.request.method": request.method,
            "url.path": request.path,
            "lab.loadgen.outcome": outcome,
            "lab.loadgen.send_lag_ms": round(lag_s * 1000, 3),
        }
        failed = not outcome.startswith(("2", "3"))
        self.spans.record(ClientSpan(trace_id, span_id, request.action, start_ns, end_ns, attributes, failed))
        sample = Sample(done - intended, request.action, outcome, f"{trace_id:032x}")
        self.results.add(sample, lag_s, self.plan.late_ms / 1000, self.plan.keep_slowest)
