"""The run's figures: a terminal report, the same as JSON, and two JSON reports side by side."""

from __future__ import annotations

import json
import time
from pathlib import Path

from loadgen.runner import Results
from loadgen.stats import PERCENTILES


def build(results: Results, config: dict, jaeger_url: str, scenarios: list[str] | None) -> dict:
    elapsed = results.elapsed_s
    slo_ms = config["slo_p95_ms"]
    p95 = results.overall.percentile_ms(95)
    return {
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": config,
        "scenarios": scenarios,
        "overall": results.overall.summary(elapsed),
        "endpoints": {name: stats.summary(elapsed) for name, stats in sorted(results.by_action.items())},
        "generator": {
            "scheduled": results.scheduled,
            "sent": results.overall.count,
            "target_rps": config["rate"],
            "achieved_rps": round(results.overall.count / elapsed, 2) if elapsed else 0.0,
            "late_sends": results.late,
            "send_lag_p50_ms": round(results.send_lag.percentile_ms(50), 3),
            "send_lag_p99_ms": round(results.send_lag.percentile_ms(99), 3),
            "send_lag_max_ms": round(results.send_lag.histogram.get_max_value() / 1000, 3),
        },
        "slo": {"p95_ms_target": slo_ms, "p95_ms": round(p95, 1), "met": p95 < slo_ms},
        "slowest": [
            {
                "latency_ms": round(s.latency_s * 1000, 1),
                "action": s.action,
                "outcome": s.outcome,
                "trace_id": s.trace_id,
                "url": f"{jaeger_url.rstrip('/')}/trace/{s.trace_id}",
            }
            for s in results.slowest_first()
        ],
    }


def _row(name: str, s: dict) -> str:
    errors = ",".join(f"{k}:{v}" for k, v in s["errors"].items()) or "-"
    cells = " ".join(f"{s[f'p{p}_ms']:>8.1f}" for p in PERCENTILES)
    return f"  {name:<20} {s['count']:>7} {s['throughput_rps']:>7.1f} {cells} {s['max_ms']:>9.1f}  {errors}"


def render(report: dict) -> str:
    header = f"  {'endpoint':<20} {'count':>7} {'req/s':>7} " + " ".join(f"{f'p{p} ms':>8}" for p in PERCENTILES)
    lines = [
        "",
        f"scenarios on: {', '.join(report['scenarios']) if report['scenarios'] else 'none'}"
        if report["scenarios"] is not None
        else "scenarios on: unknown (set ADMIN_TOKEN to record them)",
        header + f" {'max ms':>9}  errors",
    ]
    lines += [_row(name, s) for name, s in report["endpoints"].items()]
    lines.append(_row("all", report["overall"]))
    g = report["generator"]
    lines.append(
        f"\n  generator: {g['sent']}/{g['scheduled']} sent, {g['achieved_rps']} req/s of {g['target_rps']} targeted, "
        f"send lag p50 {g['send_lag_p50_ms']} ms p99 {g['send_lag_p99_ms']} ms, {g['late_sends']} sent late"
    )
    slo = report["slo"]
    verdict = "MET" if slo["met"] else "MISSED"
    lines.append(f"\nSLO p95 < {slo['p95_ms_target']:g} ms: {verdict} (p95 = {slo['p95_ms']:.1f} ms)")
    if report["slowest"]:
        lines.append(f"\nslowest {len(report['slowest'])} requests:")
        lines += [f"  {s['latency_ms']:>9.1f} ms  {s['action']:<18} {s['outcome']:<5} {s['url']}" for s in report["slowest"]]
    return "\n".join(lines)


def save(report: dict, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"loadtest-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    return path


def latest_two(directory: Path) -> tuple[Path, Path]:
    reports = sorted(directory.glob("loadtest-*.json"))
    if len(reports) < 2:
        raise FileNotFoundError(f"need two reports in {directory} to compare; run the load test twice")
    return reports[-2], reports[-1]


def compare(before: dict, after: dict) -> str:
    """Per endpoint p50/p95/p99 before and after, with the change as a ratio."""
    label = lambda r: ", ".join(r["scenarios"]) if r["scenarios"] else ("none" if r["scenarios"] == [] else "?")  # noqa: E731
    lines = [f"before: scenarios {label(before)}   after: scenarios {label(after)}", ""]
    lines.append(f"  {'endpoint':<20} " + "  ".join(f"{f'p{p} before':>10} {f'after':>8} {'x':>6}" for p in (50, 95, 99)))
    names = list(dict.fromkeys([*before["endpoints"], *after["endpoints"], "all"]))
    for name in names:
        b = before["overall"] if name == "all" else before["endpoints"].get(name)
        a = after["overall"] if name == "all" else after["endpoints"].get(name)
        if not b or not a:
            continue
        cells = []
        for p in (50, 95, 99):
            x, y = b[f"p{p}_ms"], a[f"p{p}_ms"]
            cells.append(f"{x:>10.1f} {y:>8.1f} {(x / y if y else 0):>5.1f}x")
        lines.append(f"  {name:<20} " + "  ".join(cells))
    for tag, r in (("before", before), ("after", after)):
        lines.append(f"\n{tag}: SLO p95 < {r['slo']['p95_ms_target']:g} ms {'MET' if r['slo']['met'] else 'MISSED'} (p95 {r['slo']['p95_ms']:.1f} ms)")
    return "\n".join(lines)
