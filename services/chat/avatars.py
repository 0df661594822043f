"""The avatar lookup: an external call on the profile's hot path, broken or fixed by scenario."""

from __future__ import annotations

import logging

import httpx
from fastapi import HTTPException, status
from opentelemetry.trace import Tracer
from redis.asyncio import Redis
from redis.exceptions import RedisError

from services.chat.clients import call_service

DEFAULT_AVATAR = "https://avatars.example/default.png"
log = logging.getLogger("avatars")


class AvatarClient:
    def __init__(self, http: httpx.AsyncClient, cache: Redis, tracer: Tracer, timeout_s: float, ttl_s: int) -> None:
        self.http = http
        self.cache = cache
        self.tracer = tracer
        self.timeout_s = timeout_s
        self.ttl_s = ttl_s

    async def avatar_url(self, user_id: str, cached: bool) -> str:
        with self.tracer.start_as_current_span("fetch_avatar") as span:
            if not cached:  # slow_external_call: every request waits on the external API, up to 10 s
                return await self._lookup(user_id, timeout=None)
            key = f"avatar:{user_id}"
            hit = await self._cache_get(key)
            span.set_attribute("lab.cache.hit", hit is not None)
            if hit is not None:
                return hit
            try:
                url = await self._lookup(user_id, timeout=self.timeout_s)
            except HTTPException:
                # Fixed: a slow or failing avatar service costs the user a default picture, not the page.
                span.set_attribute("lab.avatar.fallback", True)
                return DEFAULT_AVATAR
            await self._cache_set(key, url)
            return url

    async def _lookup(self, user_id: str, timeout: float | None) -> str:
        kwargs = {} if timeout is None else {"timeout": timeout}
        response = await call_service(self.http, "GET", "avatar service", f"/v1/avatars/{user_id}", **kwargs)
        if response.status_code != status.HTTP_200_OK:
            raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"avatar service answered {response.status_code}")
        return response.json()["url"]

    # A cache that is down is a cache miss, never an error page.
    async def _cache_get(self, key: str) -> str | None:
        try:
            value = await self.cache.get(key)
        except RedisError as error:
            log.warning("avatar cache unavailable: %s", type(error).__name__)
            return None
        return value.decode() if value is not None else None

    async def _cache_set(self, key: str, url: str) -> None:
        try:
            await self.cache.set(key, url, ex=self.ttl_s)
        except RedisError as error:
            log.warning("avatar cache unavailable: %s", type(error).__name__)
