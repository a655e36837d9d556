"""Periods and their publication: a table covers one calendar month, quarter or year, and is
published only once that period has closed.

Why closed periods only: while a month is open, every arrival moves its figures; comparing two
snapshots a few seconds apart would show exactly the one person who arrived in between (and,
through the tables' breakdowns, his attributes). A closed period is frozen (:mod:`months`,
:mod:`bounds`), so its figures never change after they appear, and no comparison of snapshots
isolates a single contribution. Only periods whose months all lie within the history monitoring
keeps (``history_months``, the window of :mod:`bounds`) are published: older facts are no longer
taken in, so older figures are no longer maintained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ankommen.monitoring.domain.bounds import month_of, months_before
from ankommen.monitoring.domain.months import month_closes_at, months_between

PERIOD = "period"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class InvalidPeriod(ValueError):
    """A period the API refuses (422 on ``period``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{PERIOD}: {reason}")
        self.field = PERIOD
        self.reason = reason


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month (``2026-10``), quarter (``2026-Q4``) or year (``2026``)."""

    year: int
    #: The month (1–12) of a month, the quarter (1–4) of a quarter, 0 for a year.
    number: int
    kind: PeriodKind

    @classmethod
    def month(cls, month: str) -> Period:
        return cls.parse(month) if _MONTH.match(month) else _refuse(month)

    @classmethod
    def parse(cls, text: str) -> Period:
        if match := _MONTH.match(text):
            return cls(int(match[1]), int(match[2]), PeriodKind.MONTH)
        if match := _QUARTER.match(text):
            return cls(int(match[1]), int(match[2]), PeriodKind.QUARTER)
        if match := _YEAR.match(text):
            return cls(int(match[1]), 0, PeriodKind.YEAR)
        return _refuse(text)

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.label

    @property
    def months(self) -> list[str]:
        """Its months, ``YYYY-MM``, oldest first."""
        if self.kind is PeriodKind.MONTH:
            numbers = [self.number]
        elif self.kind is PeriodKind.QUARTER:
            numbers = list(range(3 * self.number - 2, 3 * self.number + 1))
        else:
            numbers = list(range(1, 13))
        return [f"{self.year:04d}-{number:02d}" for number in numbers]

    @property
    def first_month(self) -> str:
        return self.months[0]

    @property
    def last_month(self) -> str:
        return self.months[-1]

    def enclosing(self) -> list[Period]:
        """The longer periods that contain it: a month's quarter and year, a quarter's year."""
        year = Period(self.year, 0, PeriodKind.YEAR)
        if self.kind is PeriodKind.MONTH:
            return [Period(self.year, (self.number - 1) // 3 + 1, PeriodKind.QUARTER), year]
        if self.kind is PeriodKind.QUARTER:
            return [year]
        return []

    def within(self) -> list[Period]:
        """The shorter periods it contains: a year's quarters and months, a quarter's months."""
        months = [Period.parse(month) for month in self.months]
        if self.kind is PeriodKind.YEAR:
            return [*(Period(self.year, number, PeriodKind.QUARTER) for number in range(1, 5)),
                    *months]
        if self.kind is PeriodKind.QUARTER:
            return months
        return []

    @property
    def level(self) -> int:
        """0 for a month, 1 for a quarter, 2 for a year: shorter periods close (and are
        decided) first."""
        return (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR).index(self.kind)

    def closes_at(self, grace: timedelta) -> datetime:
        """When its last month closes (its end plus the grace period): then it is frozen."""
        return month_closes_at(self.last_month, grace)


def _refuse(text: str) -> Period:
    raise InvalidPeriod(f"{text!r} is not a period: a month YYYY-MM, a quarter YYYY-Qn "
                        "or a year YYYY")


@dataclass(frozen=True)
class Publication:
    """When periods are published: closed ones (unless ``closed_only`` is off — in tests of
    the rules only) within the history."""

    grace: timedelta
    history_months: int
    closed_only: bool = True

    def oldest_month(self, now: datetime) -> str:
        return months_before(month_of(now), self.history_months - 1)

    def refusal(self, period: Period, now: datetime) -> str | None:
        """Why ``period`` is not published at ``now`` (else ``None``)."""
        if period.first_month < self.oldest_month(now):
            return (f"{period.label} is no longer published (the history covers "
                    f"{self.oldest_month(now)} onwards)")
        if self.closed_only and now < period.closes_at(self.grace):
            return (f"{period.label} is not closed yet; its figures will be published on "
                    f"{period.closes_at(self.grace).date().isoformat()}")
        if not self.closed_only and period.first_month > month_of(now):
            return f"{period.label} has not begun"
        return None

    def is_published(self, period: Period, now: datetime) -> bool:
        return self.refusal(period, now) is None

    def check(self, period: Period, now: datetime) -> Period:
        refusal = self.refusal(period, now)
        if refusal is not None:
            raise InvalidPeriod(refusal)
        return period

    def periods(self, now: datetime) -> list[Period]:
        """Every published period, newest first (by last month; a month before its quarter,
        a quarter before its year)."""
        months = [Period.month(month)
                  for month in months_between(self.oldest_month(now), month_of(now))]
        candidates = {*months, *(longer for month in months for longer in month.enclosing())}
        published = [period for period in candidates if self.is_published(period, now)]
        order = list(PeriodKind)
        return sorted(published, key=lambda period: (period.last_month,
                                                     -order.index(period.kind)),
                      reverse=True)

    def newest_month(self, now: datetime) -> Period | None:
        """The newest published month (the API's default period)."""
        return next((period for period in self.periods(now)
                     if period.kind is PeriodKind.MONTH), None)


def published_periods(now: datetime, grace: timedelta, history_months: int,
                      closed_only: bool = True) -> list[Period]:
    """The published periods at ``now``, newest first."""
    return Publication(grace, history_months, closed_only).periods(now)

