"""Every simulated delay of the stand-in external APIs, in one place.

llm-stub stands in for two external APIs (a hosted model, and an avatar service), so their
latency is the only sleep in the lab: a base, uniform jitter on top, and a rare long tail, drawn
from seeded generators so runs repeat.
"""

from functools import lru_cache

from pydantic import Field

from services.llm_stub.latency import LatencyProfile
from services.shared.settings import ServiceSettings


class LlmStubSettings(ServiceSettings):
    # The model: typical time to answer a short prompt...
    llm_base_ms: float = Field(120.0, ge=0)
    # ...spread uniformly on top of the base...
    llm_jitter_ms: float = Field(60.0, ge=0)
    # ...the share of calls that land in the tail (a cold replica, a queue at the provider)...
    llm_tail_probability: float = Field(0.0, ge=0, le=1)
    # ...and the mean extra delay of those, exponentially distributed.
    llm_tail_ms: float = Field(3000.0, ge=0)
    # Share of calls answered 503, as a provider under load does.
    llm_error_rate: float = Field(0.0, ge=0, le=1)

    # The avatar service (the write-up's Gravatar): usually quick, with a heavy tail that the
    # slow_external_call scenario puts on the hot path.
    avatar_base_ms: float = Field(60.0, ge=0)
    avatar_jitter_ms: float = Field(40.0, ge=0)
    avatar_tail_probability: float = Field(0.08, ge=0, le=1)
    avatar_tail_ms: float = Field(2500.0, ge=0)

    # Seed of the draws, so two runs of the lab see the same sequence.
    llm_seed: int = 42

    def completion_profile(self) -> LatencyProfile:
        return LatencyProfile(
            self.llm_base_ms, self.llm_jitter_ms, self.llm_tail_probability, self.llm_tail_ms, self.llm_error_rate
        )

    def avatar_profile(self) -> LatencyProfile:
        return LatencyProfile(self.avatar_base_ms, self.avatar_jitter_ms, self.avatar_tail_probability, self.avatar_tail_ms)


@lru_cache
def get_settings() -> LlmStubSettings:
    return LlmStubSettings()
