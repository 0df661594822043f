from functools import lru_cache

from pydantic import Field

from services.shared.settings import MongoSettings


class ChatSettings(MongoSettings):
    auth_url: str = "http://127.0.0.1:8001"
    llm_url: str = "http://127.0.0.1:8002"
    llm_model: str = "lab-stub-1"
    # Past this, a hung model costs the user a 504 rather than an open-ended wait.
    llm_timeout_s: float = Field(10.0, gt=0)
    auth_timeout_s: float = Field(2.0, gt=0)
    # How many recent messages go to the model as context.
    history_limit: int = Field(20, ge=0, le=200)
    page_size_max: int = Field(100, ge=1)


@lru_cache
def get_settings() -> ChatSettings:
    return ChatSettings()
