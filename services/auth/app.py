"""auth: issues JWTs to the seeded demo users and verifies them for chat."""

from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Request, status
from pydantic import BaseModel, Field, StrictStr

from services.auth.passwords import verify_password
from services.auth.settings import AuthSettings, get_settings
from services.auth.tokens import InvalidToken, issue_token, verify_token
from services.shared import mongo
from services.telemetry import Telemetry, configure_logging, setup_telemetry

SERVICE_NAME = "auth"


class LoginRequest(BaseModel):
    username: StrictStr = Field(min_length=1, max_length=64)
    password: StrictStr = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Identity(BaseModel):
    user_id: str


def _settings(request: Request) -> AuthSettings:
    return request.app.state.settings


Settings = Annotated[AuthSettings, Depends(_settings)]
UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


async def token(body: LoginRequest, request: Request, settings: Settings) -> TokenResponse:
    user = await request.app.state.db.users.find_one({"_id": body.username}, {"password_hash": 1})
    # One answer for "no such user" and "wrong password", so usernames cannot be probed.
    if user is None or not await verify_password(body.password, user["password_hash"]):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid username or password", UNAUTHORIZED)
    return TokenResponse(access_token=issue_token(settings, body.username), expires_in=settings.token_ttl_s)


async def verify(settings: Settings, authorization: Annotated[str | None, Header()] = None) -> Identity:
    scheme, _, credentials = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token", UNAUTHORIZED)
    try:
        return Identity(user_id=verify_token(settings, credentials))
    except InvalidToken as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token", UNAUTHORIZED) from error


async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def readyz(request: Request) -> dict[str, str]:
    await mongo.ping(request.app.state.db)
    return {"status": "ready"}


@asynccontextmanager
async def lifespan(app: FastAPI):
    client = mongo.connect(app.state.settings, app.state.telemetry)
    app.state.db = client[app.state.settings.mongo_db]
    yield
    await client.close()
    app.state.telemetry.shutdown()


def create_app(settings: AuthSettings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title=SERVICE_NAME, lifespan=lifespan)
    app.state.settings = settings
    app.state.telemetry = telemetry or setup_telemetry(SERVICE_NAME)
    app.add_api_route("/token", token, methods=["POST"])
    app.add_api_route("/verify", verify, methods=["POST"])
    app.add_api_route("/healthz", healthz)
    app.add_api_route("/readyz", readyz)
    mongo.install_error_handlers(app)
    app.state.telemetry.instrument_app(app, slow_request_ms=settings.slow_request_ms)
    return app


def main() -> FastAPI:
    """Entry point for uvicorn's --factory: logging first, so start-up messages are JSON too."""
    configure_logging(SERVICE_NAME)
    return create_app()
