"""The diagnosis as a person reads it (terminal), as a CI artifact (JSON, Markdown), and compared."""

from __future__ import annotations

import time

from diagnose.analysis import Analysis, pattern
from diagnose.mongo_check import DatabaseEvidence, check, parse_shape

FIXES = {
    "N+1": "fetch the whole page in one query ($in over its ids) instead of one query per item",
    "unbounded": "bound it: the newest 50 with .limit(50), and a cursor for the rest",
    "outbound": "take it off the hot path: cache the answer (Redis), and bound the wait with a timeout and a fallback",
    # Only for a childless span's own time; time between a span's children has no one advice.
    "(CPU": "do less in the span: project only the fields the response needs, serialize with a compiled encoder",
}


def _fix(kind: str, shape, evidence: DatabaseEvidence | None) -> str:
    if kind.startswith("one dominating") and shape is not None:
        if evidence and evidence.serving_index:
            if evidence.server.startswith("FerretDB"):
                return (f"the index {evidence.serving_index} would serve it on MongoDB; FerretDB v1 does not use "
                        "secondary indexes, so here every such query scans the collection")  # fmt: skip
            return f"an index that serves this query exists ({evidence.serving_index}): read its plan above"
        return shape.create_index_command()
    for key, advice in FIXES.items():
        if key in kind:
            return advice
    return "read the example traces"


def build(
    analysis: Analysis, window: dict, jaeger_url: str, mongo_url: str, db_name: str, top: int, service: str
) -> dict:
    culprits = []
    for operation, stats, slow_share, normal_share in analysis.ranked()[:top]:
        kind = pattern(operation, stats, service)
        shape = parse_shape(operation.statement) if operation.statement else None
        evidence = check(shape, mongo_url, db_name) if shape else None
        culprits.append(
            {
                "operation": operation.label(),
                "service": operation.service,
                "name": operation.name,
                "within": operation.within,
                "statement": operation.statement or None,
                "slow_share": round(slow_share, 3),
                "normal_share": round(normal_share, 3),
                "mean_ms_per_slow_trace": round(stats.slow_us / max(1, stats.slow_traces) / 1000, 1),
                "dominated_slow_requests": stats.dominated,
                "excess_ms": round(analysis.excess_us(stats) / 1000, 1),
                "pattern": kind,
                "database": evidence.__dict__ if evidence else None,
                "suggested_index": shape.create_index_command() if shape else None,
                "fix": _fix(kind, shape, evidence),
                "examples": [f"{jaeger_url.rstrip('/')}/trace/{t}" for _, t in sorted(stats.examples, reverse=True)],
            }
        )
    return {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "window": window,
        "traces": analysis.traces,
        "slow": analysis.slow,
        "incomplete": analysis.incomplete,
        "threshold_ms": analysis.threshold_ms,
        "threshold_rule": analysis.threshold_rule,
        "endpoints": {name: stats.summary(1) for name, stats in sorted(analysis.endpoints.items())},
        "culprits": culprits,
    }


def _database_lines(db: dict) -> list[str]:
    lines = [f"database  {db['server']}: indexes " + ", ".join(f"{i['name']} {i['key']}" for i in db["indexes"])]
    if db["plan"]:
        p = db["plan"]
        lines.append(
            f"          explain: {' <- '.join(p['stages'])}, {p['docs_examined']:,} documents and "
            f"{p['keys_examined']:,} index keys examined for {p['returned']:,} returned, {p['millis']} ms"
        )
    lines += [f"          profiler: {e}" for e in db["profile"]]
    lines += [f"          not run: {reason}" for reason in db["not_run"]]
    return lines


def render(report: dict) -> str:
    w = report["window"]
    lines = [
        f"diagnose: {report['traces']} traces from {w['label']}; {report['slow']} slow "
        f"(over {report['threshold_ms']:.0f} ms, {report['threshold_rule']})"
        + (f"; {report['incomplete']} incomplete (spans still arriving or missing their parent)" if report["incomplete"] else ""),
    ]
    if not report["slow"]:
        lines.append("\nno slow traces in this window: nothing to blame.")
    for rank, c in enumerate(report["culprits"], 1):
        lines += [
            "",
            f"#{rank}  {c['operation']}",
            f"    +{c['excess_ms']:.0f} ms per slow request over a normal one; {c['slow_share']:.0%} of slow-trace "
            f"latency (normal traces: {c['normal_share']:.0%}); the biggest cost in {c['dominated_slow_requests']} "
            f"of {report['slow']} slow requests",
            f"    pattern   {c['pattern']}",
        ]
        if c["statement"]:
            lines.append(f"    query     {c['statement']}")
        if c["database"]:
            lines += ["    " + line for line in _database_lines(c["database"])]
        lines.append(f"    fix       {c['fix']}")
        lines += [f"    example   {url}" for url in c["examples"]]
    return "\n".join(lines)


def markdown(report: dict) -> str:
    lines = [f"# Diagnosis: {report['window']['label']}", "", f"{report['traces']} traces, {report['slow']} slow "
             f"(over {report['threshold_ms']:.0f} ms).", "", "| # | operation | slow-trace share | normal share | pattern | fix |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for rank, c in enumerate(report["culprits"], 1):
        lines.append(
            f"| {rank} | `{c['operation']}` | {c['slow_share']:.0%} | {c['normal_share']:.0%} | {c['pattern']} | `{c['fix']}` |"
        )
    lines += ["", "| endpoint | count | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|"]
    lines += [f"| {n} | {s['count']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} |" for n, s in report["endpoints"].items()]
    return "\n".join(lines) + "\n"


def compare(before: dict, after: dict) -> str:
    """Did the fix work: per endpoint percentiles, and the before-culprit's share after."""
    lines = [f"before: {before['window']['label']}", f"after:  {after['window']['label']}", ""]
    lines.append(f"  {'endpoint':<34} {'p50 before':>10} {'after':>8}  {'p95 before':>10} {'after':>8}  {'p99 before':>10} {'after':>8}")
    for name in dict.fromkeys([*before["endpoints"], *after["endpoints"]]):
        b, a = before["endpoints"].get(name), after["endpoints"].get(name)
        if b and a:
            lines.append(
                f"  {name:<34} {b['p50_ms']:>10.1f} {a['p50_ms']:>8.1f}  {b['p95_ms']:>10.1f} {a['p95_ms']:>8.1f}  "
                f"{b['p99_ms']:>10.1f} {a['p99_ms']:>8.1f}"
            )
    if before["culprits"]:
        culprit = before["culprits"][0]
        after_share = next((c["slow_share"] for c in after["culprits"] if c["operation"] == culprit["operation"]), 0.0)
        lines += ["", f"culprit before: {culprit['operation']}: {culprit['slow_share']:.0%} of slow-trace latency; "
                      f"after: {after_share:.0%} ({after['slow']} slow traces of {after['traces']})"]  # fmt: skip
    return "\n".join(lines)
