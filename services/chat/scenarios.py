"""The lab's latency scenarios: every switch in one place, each a real cause with a real fix.

A scenario that is *on* runs the broken code path the incident write-up describes; *off* runs its
fix. The set is read once per request (a request never sees a half-flipped state) and recorded on
the request's root span, so every trace says under which conditions it ran.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("scenarios")


@dataclass(frozen=True)
class Scenario:
    name: str
    symptom: str
    fix: str


SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "missing_index",
            "messages has no index on conversation_id: every fetch_messages is a collection scan",
            "create the index (conversation_id, timestamp)",
        ),
        Scenario(
            "n_plus_one",
            "the conversation list fetches each conversation's preview with a query of its own",
            "one query for the whole page: each conversation's last message by ($in ids, $in last timestamps)",
        ),
        Scenario(
            "unbounded_query",
            "history returns every message of a conversation, however many",
            "the newest 50, and a cursor for the rest",
        ),
        Scenario(
            "slow_external_call",
            "the profile calls the avatar API on every request, with no timeout",
            "a Redis cache in front of it, and a 300 ms timeout with a fallback avatar",
        ),
        Scenario(
            "slow_serialization",
            "history of an old conversation returns its embedded legacy transcript, serialized field by field",
            "project the transcript away and serialize with pydantic's compiled encoder",
        ),
    )
}
# The incident as the write-up tells it: only the missing index.
INCIDENT = frozenset({"missing_index"})

# Called with (name, on) before a flag flips: a scenario whose state lives in the database (the
# index) is switched there. Then the whole set is persisted, so a restarted chat keeps it.
ApplyChange = Callable[[str, bool], Awaitable[None]]
Persist = Callable[[frozenset[str]], Awaitable[None]]


class UnknownScenario(KeyError):
    pass


class ScenarioSwitch:
    """The active set, swapped whole under a lock, so readers never need one."""

    def __init__(self, active: frozenset[str], apply_change: ApplyChange, persist: Persist) -> None:
        self._active = frozenset(active)
        self._apply_change = apply_change
        self._persist = persist
        self._lock = asyncio.Lock()

    @property
    def active(self) -> frozenset[str]:
        return self._active

    async def set(self, changes: dict[str, bool]) -> frozenset[str]:
        """Turn scenarios on (True) or off (False); the database follows before the flag flips."""
        unknown = set(changes) - set(SCENARIOS)
        if unknown:
            raise UnknownScenario(", ".join(sorted(unknown)))
        async with self._lock:
            for name, on in changes.items():
                if (name in self._active) != on:
                    await self._apply_change(name, on)
                    self._active = self._active | {name} if on else self._active - {name}
                    what = SCENARIOS[name].symptom if on else SCENARIOS[name].fix
                    log.warning("scenario %s %s: %s", name, "on" if on else "fixed", what)
            await self._persist(self._active)
            return self._active


def parse_names(text: str) -> frozenset[str]:
    """`missing_index,n_plus_one` -> the set; an unknown name is an error, not a silent no-op."""
    names = frozenset(n.strip() for n in text.split(",") if n.strip() and n.strip() != "none")
    unknown = names - set(SCENARIOS)
    if unknown:
        raise UnknownScenario(f"unknown scenario(s) {', '.join(sorted(unknown))}; known: {', '.join(SCENARIOS)}")
    return names
