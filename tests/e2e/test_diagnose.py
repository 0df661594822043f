"""`python -m diagnose` on the local stack names the scenario that is on, from the traces alone.

On FerretDB every query on messages is a collection scan, fixed or not, so each case drives only the
endpoint its scenario breaks; slow means over the 500 ms SLO, as `make diagnose` has it, except
where a case says otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from loadgen.__main__ import SLO_MISSED
from local_stack import components as spec

pytestmark = pytest.mark.e2e


def diagnose_under_load(
    stack, tmp_path, scenarios: tuple[str, ...], mix: str, users: int = 10, rate: int = 4, duration: int = 8,
    split: str = "slo",
) -> dict:
    stack.set_scenarios(*scenarios)
    run = [sys.executable, "-m", "loadgen", "run", "--rate", str(rate), "--duration", str(duration), "--users", str(users),
           "--mix", mix, "--report-dir", str(tmp_path)]  # fmt: skip
    loaded = subprocess.run(run, capture_output=True, text=True, timeout=600, cwd=spec.REPO, env=stack.local.env)
    assert loaded.returncode in (0, SLO_MISSED), loaded.stderr
    result = subprocess.run(
        [sys.executable, "-m", "diagnose", "--split", split, "--report-dir", str(tmp_path), "--top", "3"],
        capture_output=True, text=True, timeout=240, cwd=spec.REPO, env=stack.local.env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [path] = tmp_path.glob("diagnose-*.json")
    report = json.loads(path.read_text())
    assert report["traces"] >= duration * rate and report["slow"] >= 1
    return report


def test_n_plus_one_is_named_with_its_pattern(stack, tmp_path):
    # Each listing now costs FerretDB a scan per conversation: a gentle rate keeps it from drowning.
    report = diagnose_under_load(stack, tmp_path, ("n_plus_one",), "list_conversations=1", rate=1)
    top = report["culprits"][0]
    assert top["operation"] == "chat: find messages  (in fetch_previews)"
    assert top["pattern"].startswith("N+1 queries")


def test_slow_external_call_is_named_by_the_step_that_waits_on_it(stack, tmp_path):
    # 8% of avatar calls land in the tail: 80 calls make a run without one a 1-in-250 event.
    report = diagnose_under_load(stack, tmp_path, ("slow_external_call",), "profile=1", rate=5, duration=16)
    top = report["culprits"][0]
    assert top["operation"] == "llm-stub: lookup_avatar  (in fetch_avatar)"
    assert top["pattern"].startswith("slow outbound call")


def test_the_incident_is_the_messages_scan_with_the_index_to_create(stack, tmp_path):
    # On a fresh FerretDB a 5,000-message scan plus the model call sits right at the 500 ms SLO, so
    # this case splits at the window's p95: the slowest of these requests are the longest scans.
    report = diagnose_under_load(stack, tmp_path, ("missing_index",), "chat_followup=1,history=1", split="p95")
    top = report["culprits"][0]
    assert top["name"] == "find messages" and top["pattern"].startswith("one dominating database call")
    assert top["suggested_index"] == "db.messages.createIndex({conversation_id: 1, timestamp: 1})"
    assert top["database"]["indexes"] and top["database"]["not_run" if "FerretDB" in top["database"]["server"] else "indexes"]


def test_unbounded_query_is_recognised(stack, tmp_path):
    # user-0001 owns the oldest conversation, a whale: its history comes back in many batches.
    report = diagnose_under_load(stack, tmp_path, ("unbounded_query",), "history=1", users=1)
    assert any(c["pattern"].startswith("unbounded query") for c in report["culprits"]), report["culprits"]


def test_two_scenarios_at_once_both_make_the_top_three(stack, tmp_path):
    # 1 listing a second keeps FerretDB afloat; 60 profile calls make a tail all but certain.
    report = diagnose_under_load(
        stack, tmp_path, ("n_plus_one", "slow_external_call"), "list_conversations=1,profile=3", rate=4, duration=20
    )
    named = [c["operation"] for c in report["culprits"]]
    assert "chat: find messages  (in fetch_previews)" in named
    assert "llm-stub: lookup_avatar  (in fetch_avatar)" in named

