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

Services run as processes (``make run``) follow a :class:`FileClock` when the development
setting ``ANKOMMEN_CLOCK_FILE`` names one: ``make demo`` moves the whole embedded county
through a year by writing one file. The production profile refuses the setting. Whatever is
about security — token expiry (PyJWT), sign-in rate limits, CSRF cookies, Kafka secrets — reads
the wall clock and never this one, so a moved clock cannot keep a stale token alive.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

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


class FileClock:
    """The system clock moved by the offset a file holds (development only): every process of
    the embedded stack reads the same file, so one write moves the whole county's time.

    The file holds an *offset* in seconds to the system clock, not a fixed instant: time keeps
    running between two moves, so instants stay distinct and in the order things happened
    (outbox rows, audit entries, event times), and what the file says does not depend on when
    a process reads it. Without the file, the clock is the system clock. The file is read
    again only when it changes (its inode, size or modification time), so asking the time
    costs one ``stat``; an unreadable file is logged and counts as absent.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int, int] | None = None
        self._offset = timedelta(0)

    def offset(self) -> timedelta:
        """How far the file moves the system clock now (zero without the file)."""
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            self._seen, self._offset = None, timedelta(0)
            return self._offset
        seen = (status.st_ino, status.st_size, status.st_mtime_ns)
        if seen != self._seen:
            self._seen, self._offset = seen, self._read()
        return self._offset

    def _read(self) -> timedelta:
        try:
            return timedelta(seconds=float(self.path.read_text().strip()))
        except (OSError, ValueError, OverflowError) as error:
            logger.error("clock file %s unreadable, using the system clock: %s",
                         self.path, error)
            return timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset()

    def today(self) -> date:
        return county_day(self.now())


def move_clock_file(path: Path, now: datetime) -> None:
    """Make every :class:`FileClock` on ``path`` show ``now`` at this moment (and run on from
    there). Written to a temporary file and renamed, so no reader sees half a number."""
    if now.tzinfo is None:
        raise ValueError("a clock's time has a zone (UTC)")
    offset = (now - datetime.now(UTC)).total_seconds()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(f"{offset:.6f}\n")
    temporary.replace(path)


def reset_clock_file(path: Path) -> None:
    """Back to the system clock: the file is removed."""
    path.unlink(missing_ok=True)
