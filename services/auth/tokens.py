"""HS256 JWTs with audience, issuer and expiry, checked strictly on the way back in."""

import time

import jwt

from services.auth.settings import AuthSettings

# Pinned, so a token that names `none` or another algorithm is refused, whatever its header says.
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is missing, malformed, forged, expired or meant for someone else."""


def issue_token(settings: AuthSettings, user_id: str) -> str:
    now = int(time.time())
    claims = {
        "sub": user_id,
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + settings.token_ttl_s,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def verify_token(settings: AuthSettings, token: str) -> str:
    """Return the user id the token was issued to, or raise InvalidToken."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(type(error).__name__) from error
    return claims["sub"]
