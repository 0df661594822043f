"""Typed dependencies, so each handler's signature reads like its spec."""

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from opentelemetry import trace

from services.chat.avatars import AvatarClient
from services.chat.clients import BEARER_CHALLENGE, AuthClient, LlmClient
from services.chat.scenarios import ScenarioSwitch
from services.chat.settings import ChatSettings
from services.chat.store import ChatStore


def _state(name: str):
    async def dependency(request: Request):
        return getattr(request.app.state, name)

    return Depends(dependency)


Store = Annotated[ChatStore, _state("store")]
Auth = Annotated[AuthClient, _state("auth")]
Llm = Annotated[LlmClient, _state("llm")]
Avatars = Annotated[AvatarClient, _state("avatars")]
Settings = Annotated[ChatSettings, _state("settings")]
Switch = Annotated[ScenarioSwitch, _state("scenarios")]
Tracer = Annotated[trace.Tracer, _state("tracer")]


async def _current_user(
    request: Request, auth: Auth, authorization: Annotated[str | None, Header()] = None
) -> str:
    if not authorization:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token", BEARER_CHALLENGE)
    user_id = await auth.get_user_id(authorization)
    request.state.user_id = user_id  # for the request log line
    trace.get_current_span().set_attribute("enduser.id", user_id)
    return user_id


async def record_scenarios(switch: Switch) -> frozenset[str]:
    """One snapshot per request (FastAPI caches it), recorded on the request's root span."""
    active = switch.active
    trace.get_current_span().set_attribute("lab.scenarios", sorted(active) or ["none"])
    return active


CurrentUser = Annotated[str, Depends(_current_user)]
ActiveScenarios = Annotated[frozenset[str], Depends(record_scenarios)]
