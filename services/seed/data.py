"""Reproducible demo data with the skew of a real chat product.

Most conversations are short; a few "whales" hold thousands of messages. The skew is what
turns a missing index into a tail-latency incident: only requests that touch the messages
collection badly pay, and they pay a lot.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bson import ObjectId

WORDS = (
    "deploy latency index query cache token model prompt trace span budget error retry timeout "
    "service request user history page cursor shard replica window metric alert rollout schema "
    "the a of to and in is it for on with as this that we you can should why how when what"
).split()
USER_ID_FORMAT = "user-{:04d}"


@dataclass(frozen=True)
class SeedPlan:
    users: int
    messages: int
    seed: int
    # Share of all messages held by the whale conversations.
    whale_share: float = 0.5
    # Average length of an ordinary conversation.
    mean_messages: int = 12

    @property
    def conversations(self) -> int:
        return max(self.users, round(self.messages * (1 - self.whale_share) / self.mean_messages))

    @property
    def whales(self) -> int:
        return max(1, self.conversations // 200)


def user_ids(count: int) -> list[str]:
    return [USER_ID_FORMAT.format(n) for n in range(1, count + 1)]


def conversation_sizes(plan: SeedPlan, rng: random.Random) -> list[int]:
    """Messages per conversation: whales first, then a long-tailed spread that sums to the rest."""
    whale_total = round(plan.messages * plan.whale_share)
    whale_weights = [rng.uniform(0.5, 1.5) for _ in range(plan.whales)]
    ordinary = plan.conversations - plan.whales
    weights = [rng.lognormvariate(0, 1) for _ in range(ordinary)]
    sizes = _spread(whale_total, whale_weights) + _spread(plan.messages - whale_total, weights)
    return sizes


def _spread(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, every part at least 2 (a question and its answer)."""
    if not weights:
        return []
    scale = sum(weights)
    sizes = [max(2, int(total * w / scale)) for w in weights]
    sizes[0] += max(0, total - sum(sizes))
    return sizes


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(6, 30))).capitalize() + "."


def generate(plan: SeedPlan, now: datetime | None = None) -> Iterator[tuple[str, dict]]:
    """Yield (collection, document) pairs: conversations with their owner grant and messages."""
    rng = random.Random(plan.seed)
    now = now or datetime.now(UTC)
    users = user_ids(plan.users)
    for index, size in enumerate(conversation_sizes(plan, rng)):
        # Every user owns at least one conversation; the rest go to random users.
        owner = users[index] if index < len(users) else rng.choice(users)
        conversation_id = ObjectId()
        whale = index < plan.whales
        # Whales are the oldest conversations: they date from before the messages collection existed.
        started = now - timedelta(days=rng.uniform(330, 365) if whale else rng.uniform(1, 330))
        step = timedelta(seconds=rng.uniform(20, 600))
        yield "permissions", {"user_id": owner, "conversation_id": conversation_id, "role": "owner"}
        transcript = []
        for n in range(size):
            message = {"role": "user" if n % 2 == 0 else "assistant", "content": _sentence(rng), "timestamp": started + step * n}
            transcript.append(message)
            yield "messages", {"conversation_id": conversation_id, **message}
        conversation = {
            "_id": conversation_id,
            "user_id": owner,
            "title": _sentence(rng)[:60],
            "created_at": started,
            "updated_at": started + step * max(0, size - 1),
            "message_count": size,
        }
        if whale:
            # The legacy model embedded every message in the conversation; these old ones still carry
            # that copy, and the slow_serialization scenario still reads it.
            conversation["transcript"] = transcript
        yield "conversations", conversation
