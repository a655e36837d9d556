"""Which facts monitoring believes: only facts within bounds reach the published figures.

Anyone who can write to the facts topic can put a fact there — a forged arrival in a district
the county does not cover, or one back-dated into a month whose figures were published long
ago. A fact is therefore held for review (:class:`Reason`) instead of counted when

* its district is not one of the county's (``ANKOMMEN_COUNTY_DISTRICTS``): the county
  publishes figures for its own districts only;
* it is dated in the future: its month begins more than :data:`MONTH_AHEAD` after now (the
  producing services date facts by their own clock and calendar, which may run a few hours
  ahead of monitoring's around midnight), or its publication time lies more than
  :data:`CLOCK_SKEW` after the end of the day it was received (a forged future time would
  otherwise show as the dashboard's data freshness; facts say their month start);
* its month lies before the history monitoring publishes (``history_months``, by default the
  current month and the 23 before it: the annual report of the year before is the oldest
  publication still being prepared — nothing legitimate is reported that late);
* its month is closed (its end plus the grace period has passed): a closed month's figures
  change only through an explicit, logged correction (an admin applies the held fact).

"Now" is when monitoring received the fact, never the time the fact claims for itself — the
envelope's ``time`` is written by whoever published it, so judging by it would let a forger
back-date a fact into an open month. Only the *day* of receipt is kept (:func:`receipt_day`):
an exact receipt time would link the fact to its case event again (issue 15), and every
boundary above is a midnight UTC, so the day decides exactly as the moment did. The future
check compares the fact's time with the end of its receipt day (plus :data:`CLOCK_SKEW`). The
receipt day is archived with the fact, so a rebuild judges every fact with the very day the
live consumer did and holds exactly the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from ankommen.monitoring.domain.months import month_closes_at

#: How far ahead of now a fact's month may begin (a producing service's date may be ahead).
MONTH_AHEAD = timedelta(days=1)
#: How far ahead of now a fact's publication time may lie (clocks of two machines differ).
CLOCK_SKEW = timedelta(minutes=5)
DAY = timedelta(days=1)
#: The default history monitoring publishes: the current month and the 23 before it.
HISTORY_MONTHS = 24


class Reason(StrEnum):
    """Why a fact is held for review instead of counted."""

    UNKNOWN_DISTRICT = "unknown_district"
    FUTURE = "future"
    TOO_OLD = "too_old"
    CLOSED_MONTH = "closed_month"


@lru_cache(maxsize=4096)
def receipt_day(moment: datetime) -> datetime:
    """The midnight (UTC) that begins the day of ``moment``: all monitoring keeps of when it
    received a fact, and all the bounds need (their boundaries are midnights UTC).

    Remembered per moment: a batch, and a rebuild's facts of one month, share one (the day a
    batch was received, the month start their producer stamped), and each fact asks three
    times (folding, the bounds, the archive row) — 1 µs each, benchmark B1."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def months_before(month: str, count: int) -> str:
    """The month ``count`` months before ``month`` (both ``YYYY-MM``)."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class Window:
    """The months a fact received at one moment may be for: from ``oldest`` to ``newest``."""

    oldest: str
    newest: str


@dataclass
class Bounds:
    """The county's districts and the time rules; judges one fact at a time (pure, no I/O)."""

    districts: frozenset[str]
    grace: timedelta
    history_months: int = HISTORY_MONTHS
    #: By the hour of "now" (a window changes only at midnight UTC): a rebuild judges each
    #: fact at its own receipt time, and works the window out once an hour of them.
    _windows: dict[int, Window] = field(default_factory=dict[int, Window], repr=False)
    _closes_at: dict[str, datetime] = field(default_factory=dict[str, datetime], repr=False)
    #: (month, district, hour of now) → the reason: constant within an hour, as every
    #: boundary (a month's start, its close after whole days of grace) is a midnight UTC.
    _reasons: dict[tuple[str, str, int], Reason | None] = field(
        default_factory=dict[tuple[str, str, int], Reason | None], repr=False)

    def window(self, now: datetime, hour: int | None = None) -> Window:
        hour = int(now.timestamp()) // 3600 if hour is None else hour
        window = self._windows.get(hour)
        if window is None:
            if len(self._windows) > 10_000:
                self._windows.clear()
            window = self._windows[hour] = Window(
                months_before(month_of(now), self.history_months - 1),
                month_of(now + MONTH_AHEAD))
        return window

    def closes_at(self, month: str) -> datetime:
        closes_at = self._closes_at.get(month)
        if closes_at is None:
            closes_at = self._closes_at[month] = month_closes_at(month, self.grace)
        return closes_at

    def reason(self, month: str, district: str, now: datetime) -> Reason | None:
        """Why a figure for ``month`` and ``district`` received at ``now`` is held (else
        ``None``). The first reason that applies counts, the most telling first."""
        hour = int(now.timestamp()) // 3600
        key = (month, district, hour)
        try:
            return self._reasons[key]
        except KeyError:
            if len(self._reasons) > 100_000:
                self._reasons.clear()
            reason = self._reasons[key] = self._reason(month, district, now, hour)
            return reason

    def _reason(self, month: str, district: str, now: datetime, hour: int) -> Reason | None:
        if district not in self.districts:
            return Reason.UNKNOWN_DISTRICT
        window = self.window(now, hour)
        if month > window.newest:
            return Reason.FUTURE
        if month < window.oldest:
            return Reason.TOO_OLD
        if now >= self.closes_at(month):  # months.is_closed, cached
            return Reason.CLOSED_MONTH
        return None

    @staticmethod
    def published_in_future(published_at: datetime, received: datetime) -> bool:
        """Whether a fact claims a time after the end of the day it was ``received`` (plus the
        clock skew): judged by the day alone, so that the live consumer, which knows the
        moment, and a rebuild, which knows only the day, decide alike."""
        return published_at > receipt_day(received) + DAY + CLOCK_SKEW
