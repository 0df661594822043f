"""How far to trust the load generator: run against the local stack (`make local-up` first).

  python -m benchmarks.loadgen_accuracy [--skip-max-rate]

1. Steady rate: 200 req/s for 30 s against chat's /healthz; achieved rate and send-lag p99. (The
   traced endpoints cost chat and auth 5-10 ms of CPU each, so 200 req/s of them would measure the
   services' saturation, not the generator.)
2. Client against server: for the same requests, the generator's p50 next to the p50 of chat's
   server spans in Jaeger.
3. Ceiling: the highest rate the generator sustains on one core against a trivial endpoint (Jaeger's
   service list, in Go), next to wrk on the same core against the same endpoint.

The machine is shared and noisy: compare the figures of one run with each other, not across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys

import httpx

from loadgen.runner import OpenModelRunner, Plan, Results
from loadgen.spans import SpanRecorder
from loadgen.traffic import Request, TrafficMix, log_in
from local_stack import components as spec
from services.telemetry.tracing import resource_for
from diagnose.traces import Jaeger

# Jaeger's service list: answered from memory by a Go server that keeps connections alive.
TRIVIAL_URL = spec.JAEGER_URL
TRIVIAL_PATH = "/api/services"


class Fixed:
    """Traffic of one request, over and over."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def next_request(self) -> Request:
        return self.request


async def _drive(base_url: str, traffic, plan: Plan, users: bool = False) -> Results:
    spans = SpanRecorder()
    limits = httpx.Limits(max_connections=plan.max_in_flight, max_keepalive_connections=plan.max_in_flight)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        if users:
            password = spec.base_environment()["DEMO_USER_PASSWORD"]
            traffic = TrafficMix(await log_in(client, [f"user-{n:04d}" for n in range(1, 11)], password), traffic, seed=1)
        else:  # the first request imports half of httpx: not part of the measurement
            await client.request(traffic.request.method, traffic.request.path)
        results = await OpenModelRunner(client, traffic, spans, plan).run()
    spans.export(resource_for("loadgen"))
    return results


def steady_rate(rate: float, duration: float) -> Results:
    return asyncio.run(_drive(spec.CHAT_URL, Fixed(Request("probe", "GET", "/healthz", {})), Plan(rate, duration)))


def client_vs_server(rate: float, duration: float) -> tuple[float, float, int]:
    """p50 of the generator's latencies and of chat's server spans, over the very same requests."""
    count = int(rate * duration)
    results = asyncio.run(_drive(spec.CHAT_URL, {"profile": 1}, Plan(rate, duration, keep_slowest=count), users=True))
    client_ms, server_ms = [], []
    jaeger = Jaeger(spec.JAEGER_URL)
    for sample in results.slowest_first():
        trace = jaeger.trace(sample.trace_id)
        server = [s for s in trace.spans if s.service == "chat" and s.name == "GET /api/profile"] if trace else []
        if server:
            client_ms.append(sample.latency_s * 1000)
            server_ms.append(server[0].duration_us / 1000)
    return statistics.median(client_ms), statistics.median(server_ms), len(server_ms)


def _sustains(rate: float, seconds: float) -> tuple[bool, Results]:
    traffic = Fixed(Request("probe", "GET", TRIVIAL_PATH, {}))
    results = asyncio.run(_drive(TRIVIAL_URL, traffic, Plan(rate, seconds, max_in_flight=64)))
    ok = results.overall.count / results.elapsed_s >= 0.98 * rate and results.send_lag.percentile_ms(99) < 5
    return ok, results


def max_rate_one_core(seconds: float = 5) -> float:
    """Double until the generator falls behind, then bisect (main() pins the process to core 0)."""
    low, high = 0.0, 250.0
    while _sustains(high, seconds)[0]:
        low, high = high, high * 2
    for _ in range(4):
        middle = (low + high) / 2
        low, high = (middle, high) if _sustains(middle, seconds)[0] else (low, middle)
    return low


def wrk_rate_one_core(seconds: int = 10) -> float:
    output = subprocess.run(
        ["taskset", "-c", "0", "wrk", "-t1", "-c16", f"-d{seconds}s", TRIVIAL_URL + TRIVIAL_PATH],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-max-rate", action="store_true")
    args = parser.parse_args()
    results = steady_rate(200, 30)
    achieved = results.overall.count / results.elapsed_s
    print(f"1. steady 200 req/s x 30 s of chat /healthz: achieved {achieved:.1f} req/s ({achieved / 200 - 1:+.2%}), "
          f"send lag p50 {results.send_lag.percentile_ms(50):.2f} ms p99 {results.send_lag.percentile_ms(99):.2f} ms "
          f"max {results.send_lag.histogram.get_max_value() / 1000:.2f} ms, late {results.late}, errors {results.overall.errors}")  # fmt: skip

    client_p50, server_p50, matched = client_vs_server(20, 15)
    print(f"2. same {matched} requests: generator p50 {client_p50:.2f} ms, chat server spans p50 {server_p50:.2f} ms, "
          f"difference {client_p50 - server_p50:.2f} ms")  # fmt: skip

    if not args.skip_max_rate:
        if not shutil.which("wrk"):
            sys.exit("3. needs wrk: apt-get install wrk")
        os.sched_setaffinity(0, {0})  # one core for the generator: the question is what one core can drive
        ours = max_rate_one_core()
        theirs = wrk_rate_one_core()
        print(f"3. one core against {TRIVIAL_URL}{TRIVIAL_PATH}: loadgen sustains {ours:.0f} req/s, wrk {theirs:.0f} req/s, "
              f"ratio {ours / theirs:.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
