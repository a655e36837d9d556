"""Closed months are frozen: once a month is over (plus a grace period for facts still in
transit), its published numbers change only through an explicit, logged correction
(:mod:`bounds`, :mod:`review`). A late fact would otherwise move a published cell by one and
tell an observer something about exactly that one person.

Whether a month is closed is judged at the moment monitoring received the fact — not by the
time the fact claims to have been published, which its publisher writes (:mod:`bounds`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def month_closes_at(month: str, grace: timedelta) -> datetime:
    year, number = (int(part) for part in month.split("-"))
    start_of_next = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start_of_next + grace


def is_closed(month: str, now: datetime, grace: timedelta) -> bool:
    return now >= month_closes_at(month, grace)


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, inclusive (both ``YYYY-MM``)."""
    year, number = (int(part) for part in first.split("-"))
    months: list[str] = []
    while f"{year:04d}-{number:02d}" <= last:
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months
