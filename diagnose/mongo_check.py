"""Profile the database behind a slow query: its indexes, its plan, what the profiler saw.

A shape such as `find messages {"conversation_id": "?"} sort {"timestamp": -1} limit 20` says
which fields the query filters and sorts on. The index that serves it follows the ESR rule:
equality fields first, then the sort, then ranges.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from pymongo import MongoClient
from pymongo.errors import PyMongoError

SHAPE = re.compile(r"^(?P<command>\w+) (?P<collection>\S+)(?: (?P<filter>\{.*?\}|\[.*?\]))?(?: sort (?P<sort>\{.*?\}))?(?: limit (?P<limit>\d+))?$")
RANGE_OPERATORS = {"$lt", "$lte", "$gt", "$gte", "$ne", "$nin"}


@dataclass
class QueryShape:
    collection: str
    equality: list[str]
    sort: list[tuple[str, int]]
    ranges: list[str]
    limit: int | None

    def suggested_index(self) -> list[tuple[str, int]]:
        keys = [(f, 1) for f in self.equality] + [(f, 1) for f, _ in self.sort] + [(f, 1) for f in self.ranges]
        return list(dict(keys).items())  # first mention of a field wins

    def create_index_command(self) -> str:
        spec = ", ".join(f"{name}: {direction}" for name, direction in self.suggested_index())
        return f"db.{self.collection}.createIndex({{{spec}}})"


def parse_shape(statement: str) -> QueryShape | None:
    """The parts of a redacted find shape an index decision needs; None for other commands."""
    match = SHAPE.match(statement)
    if not match or match["command"] != "find" or not (match["filter"] or "").startswith("{"):
        return None
    filter_ = json.loads(match["filter"])
    equality, ranges = [], []
    for name, value in filter_.items():
        if name.startswith("$"):
            continue
        operators = set(value) if isinstance(value, dict) else set()
        (ranges if operators & RANGE_OPERATORS else equality).append(name)
    sort = list(json.loads(match["sort"]).items()) if match["sort"] else []
    return QueryShape(match["collection"], equality, sort, ranges, int(match["limit"]) if match["limit"] else None)


@dataclass
class DatabaseEvidence:
    server: str = "unknown"
    indexes: list[dict] = field(default_factory=list)
    serving_index: str | None = None
    plan: dict | None = None
    profile: list[dict] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)


def _stages(plan: dict) -> list[str]:
    stages = []
    while plan:
        stages.append(plan.get("stage", "?"))
        plan = plan.get("inputStage") or (plan.get("inputStages") or [None])[0]
    return stages


def check(shape: QueryShape, mongo_url: str, db_name: str) -> DatabaseEvidence:
    """What the database says about this query; each check it cannot run is named, never faked."""
    evidence = DatabaseEvidence()
    try:
        client = MongoClient(mongo_url, serverSelectionTimeoutMS=3000)
        db = client[db_name]
        build = client.admin.command("buildInfo")
        ferret = "ferretdbVersion" in build
        evidence.server = f"FerretDB (MongoDB {build['version']} protocol)" if ferret else f"MongoDB {build['version']}"
        wanted = [name for name, _ in shape.suggested_index()]
        for index in db[shape.collection].list_indexes():
            keys = list(index["key"].keys())
            evidence.indexes.append({"name": index["name"], "key": keys})
            if keys[: len(wanted)] == wanted or (shape.equality and keys[: len(shape.equality)] == shape.equality):
                evidence.serving_index = evidence.serving_index or index["name"]
        if ferret:
            evidence.not_run += [
                "explain plan (FerretDB v1 reports no COLLSCAN/IXSCAN stages)",
                "system.profile (FerretDB has no profiler)",
            ]
            return evidence
        sample = db[shape.collection].find_one({}, {f: 1 for f in shape.equality}) or {}
        filter_ = {f: sample.get(f) for f in shape.equality}
        explain = db.command(
            "explain",
            {"find": shape.collection, "filter": filter_, "sort": dict(shape.sort), "limit": shape.limit or 0},
            verbosity="executionStats",
        )
        stats = explain["executionStats"]
        evidence.plan = {
            "stages": _stages(explain["queryPlanner"]["winningPlan"]),
            "docs_examined": stats["totalDocsExamined"],
            "keys_examined": stats["totalKeysExamined"],
            "returned": stats["nReturned"],
            "millis": stats["executionTimeMillis"],
        }
        if db.command("profile", -1).get("was", 0) > 0:
            entries = db["system.profile"].find({"ns": f"{db_name}.{shape.collection}"}).sort("millis", -1).limit(3)
            evidence.profile = [
                {"millis": e.get("millis"), "docs_examined": e.get("docsExamined"), "returned": e.get("nreturned"), "plan": e.get("planSummary")}
                for e in entries
            ]
        else:
            evidence.not_run.append("system.profile (profiling is off: db.setProfilingLevel(1, {slowms: 100}) turns it on)")
    except PyMongoError as error:
        evidence.not_run.append(f"database checks ({type(error).__name__}: is MongoDB reachable at {mongo_url}?)")
    return evidence
