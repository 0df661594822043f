"""python -m diagnose: name the span behind the slow requests, say why, and check the fix.

  python -m diagnose                       the last load test's traces (else the last 5 minutes)
  python -m diagnose --minutes 15          the last 15 minutes
  python -m diagnose compare A.json B.json before and after a fix (default: the last two diagnoses)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from diagnose import report
from diagnose.analysis import Analysis, summarize
from diagnose.critical_path import root_of
from diagnose.traces import Jaeger, JaegerError, Trace
from loadgen.stats import LatencyStats


def _window(args: argparse.Namespace) -> dict:
    """The last load test's time span, or the last N minutes."""
    loads = sorted(args.report_dir.glob("loadtest-*.json"))
    if args.minutes is None and loads:
        last = json.loads(loads[-1].read_text())
        if "window" in last:
            start, end = last["window"]["start_us"], last["window"]["end_us"]
            # A little slack at the end: the slowest requests of the run finish after it.
            return {"start_us": start, "end_us": end + 60_000_000, "label": f"the load test of {loads[-1].name}"}
    minutes = args.minutes or 5
    end = time.time_ns() // 1000
    return {"start_us": end - int(minutes * 60e6), "end_us": end, "label": f"the last {minutes:g} minutes"}


def _requests(args: argparse.Namespace, jaeger: Jaeger, window: dict) -> Iterator[Trace]:
    for trace in jaeger.search(args.service, window["start_us"], window["end_us"]):
        # Jaeger matches a trace by any of its spans; a request that began before the window is not ours.
        if root_of(trace)[0].start_us >= window["start_us"]:
            yield trace


def diagnose(args: argparse.Namespace) -> dict:
    jaeger = Jaeger(args.jaeger_url)
    window = _window(args)
    if args.split == "slo":  # the threshold is known: stream, keeping nothing per trace
        analysis = Analysis(args.slo_ms, "the SLO")
        for trace in _requests(args, jaeger, window):
            analysis.add(trace, args.service)
    else:  # the threshold is the window's p95: keep each trace's small summary, then split
        summaries = [(summarize(t, args.service), root_of(t)[1]) for t in _requests(args, jaeger, window)]
        durations = LatencyStats()
        for summary, _ in summaries:
            if summary:
                durations.record(summary.duration_us / 1e6, "ok")
        analysis = Analysis(durations.percentile_ms(95), "the window's p95")
        for summary, orphans in summaries:
            analysis.add_summary(summary, orphans)
    return report.build(analysis, window, args.jaeger_url, args.mongo_url, args.db, args.top, args.service)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m diagnose", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jaeger-url", default=os.environ.get("JAEGER_URL", "http://localhost:16686"))
    parser.add_argument("--mongo-url", default=os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017"))
    parser.add_argument("--db", default=os.environ.get("MONGO_DB", "chatlab"))
    parser.add_argument("--service", default="chat", help="the service whose requests are studied")
    parser.add_argument("--minutes", type=float, default=None, help="analyse the last N minutes instead of the last load test")
    parser.add_argument("--slo-ms", type=float, default=500, help="a trace slower than this is slow")
    parser.add_argument("--split", choices=["slo", "p95"], default="slo", help="slow means over the SLO, or over the window's p95")
    parser.add_argument("--top", type=int, default=3, help="how many culprits to report")
    parser.add_argument("--report-dir", type=Path, default=Path("reports"))
    parser.add_argument("--markdown", type=Path, default=None, help="also write the report as Markdown here")
    sub = parser.add_subparsers(dest="command")
    cmp = sub.add_parser("compare", help="two diagnoses side by side (default: the last two)")
    cmp.add_argument("reports", nargs="*", type=Path)
    args = parser.parse_args(argv)

    if args.command == "compare":
        paths = args.reports if len(args.reports) == 2 else sorted(args.report_dir.glob("diagnose-*.json"))[-2:]
        if len(paths) != 2:
            print("need two diagnoses to compare: run `make diagnose` before and after the fix", file=sys.stderr)
            return 2
        print(report.compare(*(json.loads(p.read_text()) for p in paths)))
        return 0
    try:
        result = diagnose(args)
    except JaegerError as error:
        print(f"diagnose: {error}", file=sys.stderr)
        return 2
    print(report.render(result))
    args.report_dir.mkdir(parents=True, exist_ok=True)
    path = args.report_dir / f"diagnose-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2))
    if args.markdown:
        args.markdown.write_text(report.markdown(result))
    print(f"\nreport: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
