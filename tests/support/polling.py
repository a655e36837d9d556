"""Waiting for asynchronous results: poll with a deadline, never a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
        probe: Callable[[], Awaitable[T]], *, until: Callable[[T], bool] = bool,
        timeout: float = 20.0, interval: float = 0.05, what: str = "condition",
) -> T:
    """Call ``probe`` until ``until(result)`` holds; fail with the last result at the deadline."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            last = await probe()
            if until(last):
                return last
        except AssertionError:
            raise
        except Exception as error:  # the system may still be starting
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s; last: {last!r}")
        await asyncio.sleep(interval)
