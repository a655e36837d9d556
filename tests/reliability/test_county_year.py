"""A simulated county year (issue 16, item 7): the real services over the real broker, day by
day for twelve months, with the invariants checked every simulated day (see
tests/reliability/county_year.py and docs/reliability.md)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from tests.reliability.county_year import Scale, simulate
from tests.support.county_day import county_today
from tests.support.figures import record

VERIFY = os.environ.get("ANKOMMEN_VERIFY") == "1"
#: ``make verify``: the whole year, 2,000 people, courses of three to six months. ``make test``
#: cannot afford it (about a dozen minutes per database on the two-core machine, the whole
#: suite has 15): it runs five weeks with short courses, so that every transition happens —
#: offers, expiry, enrolment, attendance, completion — on both databases
#: (docs/reliability.md has the measured times). ANKOMMEN_YEAR_PEOPLE / _DAYS override.
PEOPLE = int(os.environ.get("ANKOMMEN_YEAR_PEOPLE") or (2000 if VERIFY else 200))
DAYS = int(os.environ.get("ANKOMMEN_YEAR_DAYS") or (365 if VERIFY else 35))
WEEKS = (12, 16, 20, 26) if VERIFY or DAYS > 120 else (3, 4, 6)
#: A Monday about thirteen months back, so that the simulated year ends before the real today:
#: facts carry their month as the Kafka record time, and Kafka refuses records dated more than
#: an hour ahead of its own clock (``log.message.timestamp.after.max.ms``): a simulation that
#: runs past the real date gets its future months' facts refused (parked by the relay).
_BACK = county_today() - timedelta(days=400)
START = _BACK - timedelta(days=_BACK.weekday())


@pytest.mark.timeout(3600)
async def test_county_year_keeps_every_invariant_every_day(kafka, databases):
    """Every simulated day the checker finds nothing; at the end nothing is dead-lettered and
    monitoring's figures are the simulation's own counts (the whole way: someone completes)."""
    simulation, checker, timings = await simulate(kafka, databases,
                                                  Scale(PEOPLE, DAYS, weeks=WEEKS), START)
    print(f"\n{databases.backend}: {timings}, phases {dict(simulation.seconds)}, "
          f"{dict(simulation.record.actions)}, refused {dict(simulation.record.refused)}, "
          f"short but fillable {len(checker.short_but_fillable)}")
    record("county year", f"{databases.backend}: people, days, seconds",
           [PEOPLE, DAYS, round(timings["days"], 1)])
    assert simulation.record.actions["completion"] > 0  # the whole way, not only offers
    assert checker.violations == [], "\n".join(checker.violations[:30])
    assert simulation.dead_letters == 0
    own = simulation.record
    recomputed = {"arrivals": own.arrivals, "placements": own.offers,
                  "course_outcomes": own.completions + own.discontinuations}
    for measure, counts in recomputed.items():
        published = simulation.published[measure]
        assert published == {month: counts[month] for month in published}, measure


async def test_checker_reports_offers_in_ended_courses_when_eligibility_ignores_dates(
        kafka, sqlite_databases, monkeypatch):
    """Proof that the year can fail: with the date check taken out of eligibility (as it was
    before issue 16), a few weeks of short courses end with offers in courses past their
    entry deadline or ended, and the checker says so."""
    from ankommen.assignment.domain import courses

    monkeypatch.setattr(courses, "open_for_entry", lambda course, today: True)
    _, checker, _ = await simulate(kafka, sqlite_databases,
                                   Scale(people=40, days=21, weeks=(3, 4)), START)
    assert any("not open for entry" in violation for violation in checker.violations), \
        checker.violations
