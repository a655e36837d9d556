"""Facts within bounds: only facts for the county's districts, inside the published history and
not for a closed month reach the figures; the rest is held for review — judged at the moment
monitoring received them, never by the time a fact claims. The clock is moved by the tests."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from ankommen.monitoring.domain.bounds import Bounds, Reason, months_before, receipt_day
from ankommen.monitoring.domain.folding import FoldedFacts, Outcome
from ankommen.monitoring.domain.review import Correction, corrections_of
from ankommen.monitoring.service.handlers import fold_fact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.registry import DecodedEvent

COUNTY = frozenset({"03358", "03351"})
GRACE = timedelta(days=5)
#: Monitoring's clock in these tests: 5 December 2026, noon.
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def arrival(month: str, district: str = "03358", published_at: datetime = NOW
            ) -> DecodedEvent:
    fact = ArrivalRecorded(record_key=secrets.token_hex(16), month=month, district=district,
                           german_level="A1", age_band="27_to_44", gender="female",
                           reads_latin_script=True, schooling_band="10_to_12",
                           needs_childcare=False, residence_status="other")
    envelope = Envelope(type=fact.event_type, source="/tests", time=published_at,
                        data=fact.model_dump(mode="json"))
    return DecodedEvent(envelope=envelope, data=fact)


def judged(event: DecodedEvent, now: datetime = NOW) -> tuple[Outcome, Reason | None, int]:
    """What became of the fact: its outcome, the reason it is held, and the facts counted."""
    folded = FoldedFacts(Bounds(COUNTY, GRACE))
    outcome = fold_fact(folded, event, now)
    held = folded.held.get(event.envelope.id)
    return outcome, held.reason if held else None, sum(n for n, _ in folded.cells.values())


def test_a_fact_of_the_current_month_in_the_county_counts():
    assert judged(arrival("2026-12")) == (Outcome.APPLIED, None, 1)
    assert judged(arrival("2026-12", "03351")) == (Outcome.APPLIED, None, 1)


def test_forged_arrival_for_a_district_the_county_does_not_cover_is_held():
    # The attack: facts for 09162 (Munich) on the county's dashboard.
    assert judged(arrival("2026-12", "09162")) == (Outcome.HELD, Reason.UNKNOWN_DISTRICT, 0)


def test_fact_back_dated_into_a_closed_month_is_held_whatever_time_it_claims():
    # It claims to have been published on 30 September, in time for September's figures; it
    # arrived in December, long after September closed.
    forged = arrival("2026-09", published_at=datetime(2026, 9, 30, tzinfo=UTC))
    assert judged(forged) == (Outcome.HELD, Reason.CLOSED_MONTH, 0)
    # The same fact received back then would have counted.
    assert judged(forged, datetime(2026, 9, 30, 8, tzinfo=UTC))[0] is Outcome.APPLIED


def test_a_month_closes_when_its_grace_period_ends():
    november = arrival("2026-11")
    assert judged(november, datetime(2026, 12, 5, 23, 59, tzinfo=UTC))[0] is Outcome.APPLIED
    assert judged(november, datetime(2026, 12, 6, tzinfo=UTC))[1] is Reason.CLOSED_MONTH


def test_fact_dated_next_year_is_held_as_future():
    assert judged(arrival("2027-12")) == (Outcome.HELD, Reason.FUTURE, 0)
    assert judged(arrival("2027-01"))[1] is Reason.FUTURE


def test_next_month_counts_from_a_day_before_it_begins():
    """A producing service's calendar may be a few hours ahead of monitoring's."""
    january = arrival("2027-01")
    assert judged(january, datetime(2026, 12, 31, 1, tzinfo=UTC))[0] is Outcome.APPLIED
    assert judged(january, datetime(2026, 12, 30, 23, tzinfo=UTC))[1] is Reason.FUTURE


def test_a_publication_time_in_the_future_is_held_beyond_a_small_clock_skew():
    assert judged(arrival("2026-12", published_at=NOW + timedelta(minutes=4)))[0] \
        is Outcome.APPLIED
    assert judged(arrival("2026-12", published_at=NOW + timedelta(days=400)))[1] \
        is Reason.FUTURE


def test_the_future_check_judges_by_the_end_of_the_receipt_day():
    """Only the day of receipt is kept (issue 15): a time later that day, or within the skew
    after it, is not "in the future"; so the live consumer (which knows the moment) and a
    rebuild (which knows only the day) decide alike."""
    end_of_day = datetime(2026, 12, 6, tzinfo=UTC)
    for received in (NOW, NOW.replace(hour=0), NOW.replace(hour=23, minute=59)):
        assert judged(arrival("2026-12", published_at=end_of_day + timedelta(minutes=4)),
                      received)[0] is Outcome.APPLIED
        assert judged(arrival("2026-12", published_at=end_of_day + timedelta(minutes=6)),
                      received)[1] is Reason.FUTURE
    assert receipt_day(NOW) == NOW.replace(hour=0)


@pytest.mark.parametrize("hour", [0, 9, 23])
def test_the_receipt_day_decides_exactly_as_the_moment_did(hour):
    """Every boundary of the bounds is a midnight UTC: judging by the day's start gives the
    same reason at every hour of the day, on the days around a month's start and close."""
    for day in (datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC),
                datetime(2026, 12, 5, tzinfo=UTC), datetime(2026, 12, 6, tzinfo=UTC),
                datetime(2026, 12, 31, tzinfo=UTC)):
        moment = day + timedelta(hours=hour, minutes=59)
        for month in ("2026-11", "2026-12", "2027-01"):
            at_moment = Bounds(COUNTY, GRACE).reason(month, "03358", moment)
            assert Bounds(COUNTY, GRACE).reason(month, "03358", day) is at_moment


def test_facts_before_the_published_history_are_too_old():
    assert months_before("2026-12", 23) == "2025-01"
    assert judged(arrival("2025-01"))[1] is Reason.CLOSED_MONTH
    assert judged(arrival("2024-12"))[1] is Reason.TOO_OLD


@pytest.mark.parametrize("now", [NOW, NOW + timedelta(days=40), NOW + timedelta(days=800)])
def test_the_same_fact_is_judged_by_the_moment_it_was_received(now):
    # December's fact: counts in December, is a late fact in mid-January, too old two years on.
    expected = {NOW: None, NOW + timedelta(days=40): Reason.CLOSED_MONTH,
                NOW + timedelta(days=800): Reason.TOO_OLD}[now]
    assert judged(arrival("2026-12"), now)[1] is expected


def test_held_facts_claim_nothing_about_data_freshness():
    folded = FoldedFacts(Bounds(COUNTY, GRACE))
    fold_fact(folded, arrival("2026-12", "09162", published_at=NOW + timedelta(days=9000)), NOW)
    fold_fact(folded, arrival("2026-12", published_at=NOW - timedelta(hours=1)), NOW)
    assert folded.intake[ArrivalRecorded.event_type].last_published_at \
        == NOW - timedelta(hours=1)


def test_corrections_are_counted_per_month_and_day():
    day = datetime(2026, 12, 5, 10, tzinfo=UTC)
    applied = [("2026-09", day), ("2026-09", day + timedelta(hours=1)), ("2026-10", day),
               ("2026-09", day + timedelta(days=1)), (None, day)]
    assert corrections_of(applied) == [
        Correction("2026-09", day.date(), 2),
        Correction("2026-09", (day + timedelta(days=1)).date(), 1),
        Correction("2026-10", day.date(), 1)]
