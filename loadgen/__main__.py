"""python -m loadgen: load test the lab, compare two runs, and switch the latency scenarios.

  python -m loadgen run --rate 20 --duration 60     open-model load, percentiles, slowest traces
  python -m loadgen compare [BEFORE.json AFTER.json]  two reports side by side (default: the last two)
  python -m loadgen scenarios                        which scenarios are on
  python -m loadgen scenario n_plus_one on           switch one; `fix` = all off, `break` = the incident
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

import httpx

from loadgen import report
from loadgen.runner import OpenModelRunner, Plan
from loadgen.spans import SpanRecorder
from loadgen.traffic import TrafficMix, log_in, parse_mix
from local_stack.components import read_dotenv
from services.telemetry.tracing import resource_for

# The exit code when the run completed but missed its SLO (1 is left to crashes).
SLO_MISSED = 3
DEFAULTS = {"url": "http://127.0.0.1:8000", "jaeger_url": "http://localhost:16686", "report_dir": "reports"}


def _setting(name: str) -> str | None:
    return os.environ.get(name) or read_dotenv().get(name)


def _admin(args: argparse.Namespace) -> httpx.Client:
    token = _setting("ADMIN_TOKEN")
    if not token:
        sys.exit("set ADMIN_TOKEN (it is in .env for the demo stacks)")
    return httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {token}"}, timeout=120)


def active_scenarios(url: str) -> list[str] | None:
    token = _setting("ADMIN_TOKEN")
    if not token:
        return None
    try:
        response = httpx.get(f"{url}/admin/scenarios", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        return response.json()["active"] if response.status_code == 200 else None
    except httpx.HTTPError:
        return None


def _progress(runner: OpenModelRunner, elapsed: float) -> None:
    interactive = sys.stderr.isatty()
    if not interactive and round(elapsed) % 10:  # a log file gets a line every 10 s, a terminal a live one
        return
    r = runner.results
    line = (
        f"  {elapsed:5.0f}s / {runner.plan.duration_s:g}s   done {r.overall.count:>6}   in flight {runner.in_flight:>4}"
        f"   p95 so far {r.overall.percentile_ms(95):8.1f} ms   errors {sum(r.overall.errors.values())}"
    )
    print(line, end="\r" if interactive else "\n", file=sys.stderr, flush=True)


async def _run(args: argparse.Namespace) -> dict:
    password = _setting("DEMO_USER_PASSWORD")
    if not password:
        sys.exit("set DEMO_USER_PASSWORD (it is in .env for the demo stacks)")
    spans = SpanRecorder()
    limits = httpx.Limits(max_connections=args.max_in_flight, max_keepalive_connections=args.max_in_flight)
    async with httpx.AsyncClient(base_url=args.url, timeout=args.timeout, limits=limits) as client:
        users = await log_in(client, [f"user-{n:04d}" for n in range(1, args.users + 1)], password)
        traffic = TrafficMix(users, parse_mix(args.mix), args.seed)
        plan = Plan(args.rate, args.duration, args.ramp_from, args.max_in_flight, keep_slowest=args.slowest)
        print(f"load test: {args.rate:g} req/s for {args.duration:g}s against {args.url}, {len(users)} users", file=sys.stderr)
        started_us = time.time_ns() // 1000
        results = await OpenModelRunner(client, traffic, spans, plan).run(_progress)
        window = {"start_us": started_us, "end_us": time.time_ns() // 1000}
    # Exported now, after the run, so every trace link below has its root by the time it is printed.
    if not await asyncio.to_thread(spans.export, resource_for("loadgen")):
        print("warning: some client spans could not be exported (is the collector up?)", file=sys.stderr)
    config = {k: getattr(args, k) for k in ("url", "rate", "duration", "ramp_from", "users", "mix", "seed", "slo_p95_ms")}
    return {**report.build(results, config, args.jaeger_url, active_scenarios(args.url)), "window": window}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadgen", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("CHAT_URL", DEFAULTS["url"]), help="chat's base URL")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a load test")
    run.add_argument("--rate", type=float, default=20, help="requests per second (target)")
    run.add_argument("--duration", type=float, default=60, help="seconds")
    run.add_argument("--ramp-from", type=float, default=None, help="start at this rate and ramp linearly to --rate")
    run.add_argument("--users", type=int, default=20, help="virtual users (demo users user-0001...)")
    run.add_argument("--mix", default=None, help="weights, e.g. chat_new=55,list_conversations=20,profile=17,chat_followup=4,history=4")
    run.add_argument("--seed", type=int, default=1, help="seed of the traffic mix")
    run.add_argument("--max-in-flight", type=int, default=256, help="cap on concurrent requests")
    run.add_argument("--timeout", type=float, default=60, help="seconds before a request is given up")
    run.add_argument("--slo-p95-ms", type=float, default=500, help="the SLO: p95 under this many ms")
    run.add_argument("--slowest", type=int, default=10, help="how many of the slowest requests to list")
    run.add_argument("--jaeger-url", default=os.environ.get("JAEGER_URL", DEFAULTS["jaeger_url"]))
    run.add_argument("--report-dir", type=Path, default=Path(DEFAULTS["report_dir"]))

    cmp = sub.add_parser("compare", help="two reports side by side (default: the last two)")
    cmp.add_argument("reports", nargs="*", type=Path)
    cmp.add_argument("--report-dir", type=Path, default=Path(DEFAULTS["report_dir"]))

    sub.add_parser("scenarios", help="list the scenarios and which are on")
    one = sub.add_parser("scenario", help="switch one scenario")
    one.add_argument("name")
    one.add_argument("state", choices=["on", "off"])
    sub.add_parser("fix", help="turn every scenario off (all fixes applied)")
    sub.add_parser("break", help="back to the write-up's incident (only missing_index)")
    args = parser.parse_args(argv)

    if args.command == "run":
        result = asyncio.run(_run(args))
        print(report.render(result))
        print(f"\nreport: {report.save(result, args.report_dir)}")
        return 0 if result["slo"]["met"] else SLO_MISSED
    if args.command == "compare":
        before, after = args.reports if len(args.reports) == 2 else report.latest_two(args.report_dir)
        print(report.compare(json.loads(before.read_text()), json.loads(after.read_text())))
        return 0
    with _admin(args) as admin:
        if args.command == "scenario":
            response = admin.put(f"/admin/scenarios/{args.name}", json={"on": args.state == "on"})
        elif args.command in ("fix", "break"):
            response = admin.post(f"/admin/{args.command}")
        else:
            response = admin.get("/admin/scenarios")
    if response.status_code != 200:
        print(f"chat answered {response.status_code}: {response.text}", file=sys.stderr)
        return 1
    for name, s in response.json()["scenarios"].items():
        print(f"  {'ON ' if s['on'] else 'off'}  {name:<20} {s['symptom'] if s['on'] else 'fixed: ' + s['fix']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
