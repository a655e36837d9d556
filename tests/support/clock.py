"""A clock a test moves (:class:`ankommen.shared.clock.MovableClock`), passed as ``clock=`` to
``in_process`` / ``served_over_http`` of any service, and helpers for monitoring's months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ankommen.shared.clock import MovableClock

__all__ = ["MovableClock", "this_month", "when_published"]


def this_month(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m")


def when_published(month: str, grace_days: int = 5) -> datetime:
    """The first moment ``month``'s figures are published (its close: end + grace)."""
    year, number = (int(part) for part in month.split("-"))
    start_of_next = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start_of_next + timedelta(days=grace_days)
