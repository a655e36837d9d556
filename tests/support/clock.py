"""A clock a test moves: "now" for monitoring (which periods are closed and published, and the
facts consumer's bounds), passed as ``clock=`` to ``in_process`` / ``served_over_http``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class MovableClock:
    """Returns the time it was set to (UTC), until it is set or moved again."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("a clock's time has a zone (UTC)")
        self._now = now

    def advance(self, by: timedelta) -> None:
        self._now += by


def this_month(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m")


def when_published(month: str, grace_days: int = 5) -> datetime:
    """The first moment ``month``'s figures are published (its close: end + grace)."""
    year, number = (int(part) for part in month.split("-"))
    start_of_next = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start_of_next + timedelta(days=grace_days)
