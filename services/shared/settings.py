"""Settings every service shares. Each service's own settings class extends this one."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    # Requests slower than this get a WARNING line in the request log (the seed's step 1).
    slow_request_ms: float = 500.0


class MongoSettings(ServiceSettings):
    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_db: str = "chatlab"
    # How long a request waits for an unreachable database before it is answered 503.
    mongo_timeout_ms: int = 2000
