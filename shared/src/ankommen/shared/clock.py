"""Time as a dependency: one clock per service, so that tests (and the simulated county year)
can move a service through days and months instead of waiting for them.

Two kinds of time, kept apart on purpose:

- an *instant* (``now()``) is aware and in UTC: audit entries, outbox rows, event times — it
  must compare across services and machines;
- a *day* (``today()``) is the county's calendar day, Europe/Berlin: a German county's "today"
  changes at local midnight, not at UTC midnight (between 00:00 and 02:00 local time the two
  differ by a day), and registrations, course dates and reports are days people read there.

Domain code never asks the system for the time; it receives ``now``/``today`` as arguments,
and services read ``runtime.clock`` (tests/test_architecture.py enforces it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

#: The county's time zone: its calendar days are the days in the domain.
COUNTY_TIME = ZoneInfo("Europe/Berlin")


@runtime_checkable
class Clock(Protocol):
    """"Now" (aware, UTC) and "today" (the county's calendar day) for one service."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


def county_day(moment: datetime) -> date:
    """The county's calendar day at ``moment`` (an aware instant)."""
    return moment.astimezone(COUNTY_TIME).date()


class SystemClock:
    """The machine's clock: what every service uses outside tests."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return county_day(self.now())


class MovableClock:
    """A clock a test (or a simulation) sets and moves; it stands still in between, so that
    what a test asserts cannot change under it while it runs."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = SystemClock().now() if now is None else self._checked(now)

    @staticmethod
    def _checked(now: datetime) -> datetime:
        if now.tzinfo is None:
            raise ValueError("a clock's time has a zone (UTC)")
        return now.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return county_day(self._now)

    def set(self, now: datetime) -> None:
        self._now = self._checked(now)

    def advance(self, by: timedelta) -> None:
        self._now += by
