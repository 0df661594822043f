"""The stand-in's behaviour per call: how long it takes and whether it fails, from a seeded draw."""

import asyncio
import random
from dataclasses import dataclass

from services.llm_stub.settings import LlmStubSettings


@dataclass(frozen=True)
class Draw:
    delay_ms: float
    in_tail: bool
    fails: bool


class LatencyModel:
    def __init__(self, settings: LlmStubSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.llm_seed)

    def draw(self) -> Draw:
        s, rng = self.settings, self._random
        delay_ms = s.llm_base_ms + rng.uniform(0, s.llm_jitter_ms)
        in_tail = rng.random() < s.llm_tail_probability
        if in_tail:
            delay_ms += rng.expovariate(1 / s.llm_tail_ms) if s.llm_tail_ms else 0.0
        return Draw(delay_ms=delay_ms, in_tail=in_tail, fails=rng.random() < s.llm_error_rate)


async def simulate(delay_ms: float) -> None:
    """Simulate the external API's latency (the only simulated delay in the lab)."""
    await asyncio.sleep(delay_ms / 1000)
