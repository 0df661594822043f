"""Wait for a condition with a deadline, never a fixed sleep; fail saying what was awaited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def poll_until(check: Callable[[], T | None], description: str, timeout_s: float = 20.0, interval_s: float = 0.1) -> T:
    """Call `check` until it returns something truthy, and return that; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as error:  # a service still starting may refuse connections
            last_error = error
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {description}" + (f" (last error: {last_error!r})" if last_error else ""))


async def apoll_until(
    check: Callable[[], Awaitable[T | None]], description: str, timeout_s: float = 20.0, interval_s: float = 0.1
) -> T:
    """The async twin of poll_until, for checks that await."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {description}")
