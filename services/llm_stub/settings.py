"""Every simulated delay of the stand-in LLM, in one place.

llm-stub stands in for an external API, so its latency is the only sleep in the lab: a base,
uniform jitter on top, and a rare long tail, drawn from a seeded generator so runs repeat.
"""

from functools import lru_cache

from pydantic import Field

from services.shared.settings import ServiceSettings


class LlmStubSettings(ServiceSettings):
    # Typical time to first byte of a hosted model answering a short prompt.
    llm_base_ms: float = Field(120.0, ge=0)
    # Spread added uniformly on top of the base.
    llm_jitter_ms: float = Field(60.0, ge=0)
    # Share of calls that land in the tail (a cold replica, a queue at the provider)...
    llm_tail_probability: float = Field(0.0, ge=0, le=1)
    # ...and the mean extra delay of those calls, exponentially distributed.
    llm_tail_ms: float = Field(3000.0, ge=0)
    # Share of calls answered 503, as a provider under load does.
    llm_error_rate: float = Field(0.0, ge=0, le=1)
    # Seed of the latency and error draws, so two runs of the lab see the same sequence.
    llm_seed: int = 42


@lru_cache
def get_settings() -> LlmStubSettings:
    return LlmStubSettings()
