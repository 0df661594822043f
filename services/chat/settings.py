from functools import lru_cache

from pydantic import Field, SecretStr

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
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Guards /admin (scenario switches). Without it, the admin endpoints answer 401 to everyone.
    admin_token: SecretStr | None = None
    # Scenarios on at first start, comma-separated; later switches are kept in the database.
    lab_scenarios: str = "missing_index"
    # The avatar lookup, fixed: give up after this long and show the default avatar.
    avatar_timeout_s: float = Field(0.3, gt=0)
    avatar_cache_ttl_s: int = Field(86_400, ge=1)


@lru_cache
def get_settings() -> ChatSettings:
    return ChatSettings()
