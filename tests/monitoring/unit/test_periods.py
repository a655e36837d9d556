"""Periods: months, quarters and years; only closed ones within the history are published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ankommen.monitoring.domain.periods import (
    InvalidPeriod,
    Period,
    PeriodKind,
    Publication,
    published_periods,
)

GRACE = timedelta(days=5)


def test_parse_months_quarters_and_years():
    assert Period.parse("2026-10").months == ["2026-10"]
    assert Period.parse("2026-Q4").months == ["2026-10", "2026-11", "2026-12"]
    assert Period.parse("2026").months == [f"2026-{m:02d}" for m in range(1, 13)]
    assert [p.label for p in Period.parse("2026-10").enclosing()] == ["2026-Q4", "2026"]
    assert [p.label for p in Period.parse("2026-Q2").enclosing()] == ["2026"]
    assert Period.parse("2026").enclosing() == []
    for text in ("2026-13", "2026-Q5", "26", "2026-10-01", "", "2026-q1"):
        with pytest.raises(InvalidPeriod) as refused:
            Period.parse(text)
        assert refused.value.field == "period"


def test_a_period_closes_with_its_last_month_plus_grace():
    assert Period.parse("2026-Q3").closes_at(GRACE) == datetime(2026, 10, 6, tzinfo=UTC)
    assert Period.parse("2025").closes_at(GRACE) == datetime(2026, 1, 6, tzinfo=UTC)


def test_only_closed_periods_within_the_history_are_published():
    publication = Publication(GRACE, 24)
    now = datetime(2026, 11, 5, 23, 59, tzinfo=UTC)
    assert publication.is_published(Period.parse("2026-09"), now)
    refusal = publication.refusal(Period.parse("2026-10"), now)
    assert refusal is not None and "2026-11-06" in refusal  # the day it will be published
    assert publication.is_published(Period.parse("2026-10"), datetime(2026, 11, 6, tzinfo=UTC))
    assert not publication.is_published(Period.parse("2026-Q4"), now)
    assert not publication.is_published(Period.parse("2026"), now)
    assert publication.is_published(Period.parse("2025"), now)
    # The history: 2024-12 … 2026-11; the year 2024 has months before it.
    assert "no longer published" in (publication.refusal(Period.parse("2024"), now) or "")
    assert publication.is_published(Period.parse("2024-12"), now)
    assert not publication.is_published(Period.parse("2024-Q4"), now)
    with pytest.raises(InvalidPeriod):
        publication.check(Period.parse("2026-11"), now)


def test_published_periods_newest_first():
    now = datetime(2026, 11, 6, tzinfo=UTC)
    periods = published_periods(now, GRACE, 24)
    assert [p.label for p in periods[:5]] == ["2026-10", "2026-09", "2026-Q3", "2026-08",
                                               "2026-07"]
    assert {p.kind for p in periods} == set(PeriodKind)
    assert Publication(GRACE, 24).newest_month(now) == Period.parse("2026-10")
    # Switched off (tests of the rules only): the open month is published too.
    assert Publication(GRACE, 24, closed_only=False).newest_month(now) == \
        Period.parse("2026-11")
