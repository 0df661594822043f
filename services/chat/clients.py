"""chat's calls to auth and llm-stub. A failing dependency becomes 502 (broken) or 504 (too slow)."""

from typing import Any

import httpx
from fastapi import HTTPException, status
from opentelemetry.trace import Tracer

BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def call_service(http: httpx.AsyncClient, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
    """One HTTP call to another service; no answer becomes 504 (too slow) or 502 (unreachable)."""
    try:
        return await http.request(method, path, **kwargs)
    except httpx.TimeoutException as error:
        raise HTTPException(status.HTTP_504_GATEWAY_TIMEOUT, f"{service} timed out") from error
    except httpx.TransportError as error:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"{service} unreachable") from error


class AuthClient:
    def __init__(self, http: httpx.AsyncClient, tracer: Tracer) -> None:
        self.http = http
        self.tracer = tracer

    async def login(self, username: str, password: str) -> dict[str, Any]:
        response = await call_service(self.http, "POST", "auth", "/token", json={"username": username, "password": password})
        if response.status_code == status.HTTP_401_UNAUTHORIZED:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid username or password", BEARER_CHALLENGE)
        if response.status_code != status.HTTP_200_OK:
            raise HTTPException(status.HTTP_502_BAD_GATEWAY, "auth failed")
        return response.json()

    async def get_user_id(self, authorization: str) -> str:
        """Ask auth who the bearer of this Authorization header is."""
        with self.tracer.start_as_current_span("get_user_id"):
            response = await call_service(self.http, "POST", "auth", "/verify", headers={"Authorization": authorization})
            if response.status_code == status.HTTP_401_UNAUTHORIZED:
                raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or expired token", BEARER_CHALLENGE)
            if response.status_code != status.HTTP_200_OK:
                raise HTTPException(status.HTTP_502_BAD_GATEWAY, "auth failed")
            return response.json()["user_id"]


class LlmClient:
    def __init__(self, http: httpx.AsyncClient, tracer: Tracer, model: str) -> None:
        self.http = http
        self.tracer = tracer
        self.model = model

    async def complete(self, messages: list[dict[str, str]]) -> str:
        """The assistant's reply to a chronological list of {role, content} messages."""
        with self.tracer.start_as_current_span("call_llm_service") as span:
            span.set_attribute("gen_ai.request.model", self.model)
            span.set_attribute("lab.llm.context_messages", len(messages))
            response = await call_service(
                self.http, "POST", "llm-stub", "/v1/chat/completions", json={"model": self.model, "messages": messages}
            )
            if response.status_code != status.HTTP_200_OK:
                raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"llm-stub answered {response.status_code}")
            return response.json()["choices"][0]["message"]["content"]
