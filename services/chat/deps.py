"""Typed dependencies, so each handler's signature reads like its spec."""

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from opentelemetry import trace

from services.chat.clients import BEARER_CHALLENGE, AuthClient, LlmClient
from services.chat.settings import ChatSettings
from services.chat.store import ChatStore


async def _store(request: Request) -> ChatStore:
    return request.app.state.store


async def _auth(request: Request) -> AuthClient:
    return request.app.state.auth


async def _llm(request: Request) -> LlmClient:
    return request.app.state.llm


async def _settings(request: Request) -> ChatSettings:
    return request.app.state.settings


async def _current_user(
    request: Request,
    auth: Annotated[AuthClient, Depends(_auth)],
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    if not authorization:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token", BEARER_CHALLENGE)
    user_id = await auth.get_user_id(authorization)
    request.state.user_id = user_id  # for the request log line
    trace.get_current_span().set_attribute("enduser.id", user_id)
    return user_id


Store = Annotated[ChatStore, Depends(_store)]
Auth = Annotated[AuthClient, Depends(_auth)]
Llm = Annotated[LlmClient, Depends(_llm)]
Settings = Annotated[ChatSettings, Depends(_settings)]
CurrentUser = Annotated[str, Depends(_current_user)]
