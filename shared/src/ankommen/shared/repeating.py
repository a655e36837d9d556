"""A job a service repeats in the background (``ServiceRuntime.run_in_background``): purges
of what must not be kept for ever. One turn failing — the database away for a while — must not
end the job: it is logged (the error's type only, never its message, which may quote data)
and the next turn tries again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


def repeating(what: str, turn: Callable[[], Awaitable[object]], interval: float
              ) -> Callable[[], Awaitable[None]]:
    """A background job running ``turn`` every ``interval`` seconds, surviving any failure of
    a turn; ``what`` names it in the log."""

    async def run() -> None:
        while True:
            try:
                await turn()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the next turn tries again
                logger.warning("%s failed", what, extra={"error": type(error).__name__})
            await asyncio.sleep(interval)

    return run
