"""What the virtual users do: log in once, then chat, list, look at their profile, open history.

The default mix reproduces the write-up's shape: most requests are quick or wait only on the model;
a few (follow-ups and history loads of old conversations) read the messages collection, and those
are the ones a missing index makes terribly slow.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

import httpx

DEFAULT_MIX = {"chat_new": 55, "list_conversations": 20, "profile": 17, "chat_followup": 4, "history": 4}
# Not in the default mix: chat's /healthz, the cheapest request there is, for measuring the generator.
ACTIONS = (*DEFAULT_MIX, "probe")
PROMPTS = (
    "Why is my p95 so much higher than my p50?",
    "Summarise our last conversation.",
    "How do I add an index without downtime?",
    "What does a collection scan cost?",
    "Give me three ways to cut tail latency.",
)


@dataclass(frozen=True)
class Request:
    action: str
    method: str
    path: str
    headers: dict[str, str]
    body: dict | None = None


@dataclass
class VirtualUser:
    user_id: str
    headers: dict[str, str]
    # The user's conversations, newest first, as the list endpoint gave them at start.
    conversations: list[str] = field(default_factory=list)

    def recent(self, rng: random.Random) -> str | None:
        return rng.choice(self.conversations[:3]) if self.conversations else None

    def old(self, rng: random.Random) -> str | None:
        oldest = self.conversations[-max(1, len(self.conversations) // 3) :]
        return rng.choice(oldest) if oldest else None


def parse_mix(text: str | None) -> dict[str, int]:
    """`chat_new=50,history=10` -> weights; names not given keep no weight."""
    if not text:
        return dict(DEFAULT_MIX)
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in ACTIONS or not weight.strip().isdigit():
            raise ValueError(f"bad mix entry {part!r}: use name=weight with names {', '.join(ACTIONS)}")
        mix[name.strip()] = int(weight)
    if not sum(mix.values()):
        raise ValueError("the mix needs at least one positive weight")
    return mix


# Set-up is not measured, and under a bad scenario the conversation list can take seconds.
SETUP_TIMEOUT_S = 300
SETUP_CONCURRENCY = 4


async def log_in(client: httpx.AsyncClient, user_ids: list[str], password: str) -> list[VirtualUser]:
    """Log every virtual user in and learn their conversations; not part of the measured run."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(user_id: str) -> VirtualUser:
        async with gate:
            response = await client.post("/api/login", json={"username": user_id, "password": password}, timeout=SETUP_TIMEOUT_S)
            if response.status_code != 200:
                raise RuntimeError(f"cannot log in {user_id}: {response.status_code} {response.text[:200]}")
            headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
            listing = await client.get("/api/conversations", params={"limit": 100}, headers=headers, timeout=SETUP_TIMEOUT_S)
            if listing.status_code != 200:
                raise RuntimeError(f"cannot list {user_id}'s conversations: {listing.status_code} {listing.text[:200]}")
            return VirtualUser(user_id, headers, [c["id"] for c in listing.json()["items"]])

    return list(await asyncio.gather(*(one(u) for u in user_ids)))


class TrafficMix:
    def __init__(self, users: list[VirtualUser], mix: dict[str, int], seed: int) -> None:
        self.users = users
        self.actions = list(mix)
        self.weights = [mix[a] for a in self.actions]
        self.rng = random.Random(seed)

    def next_request(self) -> Request:
        user = self.rng.choice(self.users)
        action = self.rng.choices(self.actions, self.weights)[0]
        prompt = self.rng.choice(PROMPTS)
        if action == "chat_followup" and (conversation := user.recent(self.rng)):
            return Request(action, "POST", "/api/chat", user.headers, {"conversation_id": conversation, "message": prompt})
        if action == "history" and (conversation := user.old(self.rng)):
            return Request(action, "GET", f"/api/conversations/{conversation}", user.headers)
        if action == "list_conversations":
            return Request(action, "GET", "/api/conversations", user.headers)
        if action == "profile":
            return Request(action, "GET", "/api/profile", user.headers)
        if action == "probe":
            return Request(action, "GET", "/healthz", {})
        return Request("chat_new", "POST", "/api/chat", user.headers, {"message": prompt})
