"""A stand-in API's behaviour per call: how long it takes and whether it fails, from a seeded draw."""

import asyncio
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class LatencyProfile:
    base_ms: float
    jitter_ms: float
    tail_probability: float
    tail_ms: float
    error_rate: float = 0.0


@dataclass(frozen=True)
class Draw:
    delay_ms: float
    in_tail: bool
    fails: bool


class LatencyModel:
    def __init__(self, profile: LatencyProfile, seed: int) -> None:
        self.profile = profile
        self._random = random.Random(seed)

    def draw(self) -> Draw:
        p, rng = self.profile, self._random
        delay_ms = p.base_ms + rng.uniform(0, p.jitter_ms)
        in_tail = rng.random() < p.tail_probability
        if in_tail and p.tail_ms:
            delay_ms += rng.expovariate(1 / p.tail_ms)
        return Draw(delay_ms=delay_ms, in_tail=in_tail, fails=rng.random() < p.error_rate)


async def simulate(delay_ms: float) -> None:
    """Simulate an external API's latency (the only simulated delay in the lab)."""
    await asyncio.sleep(delay_ms / 1000)
