from functools import lru_cache

from pydantic import Field, SecretStr

from services.shared.settings import MongoSettings


class AuthSettings(MongoSettings):
    # Required, from the environment only: a signing key never lives in code.
    # At least 32 bytes, as RFC 7518 asks of an HS256 key.
    jwt_secret: SecretStr = Field(min_length=32)
    jwt_audience: str = "chat-api"
    jwt_issuer: str = "auth"
    token_ttl_s: int = 3600


@lru_cache
def get_settings() -> AuthSettings:
    return AuthSettings()
