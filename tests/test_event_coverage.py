"""The judgement behind the run's check that every event crossing a service boundary went
through a real broker (tests/support/event_coverage.py; the check itself runs at the end of
the whole suite, in tests/conftest.py)."""

from __future__ import annotations

import copy

import pytest

from tests.support.event_coverage import (
    Boundaries,
    Crossing,
    Observations,
    boundaries,
    uncovered,
    whole_suite,
)

REGISTERED = "ankommen.intake.case_registered.v1"
REPORT = "ankommen.provider.report_submitted.v1"
CASES = "ankommen.assignment.cases"
REPORTS = "ankommen.progress.provider-reports"
KNOWN = Boundaries(frozenset({Crossing(REGISTERED, CASES), Crossing(REPORT, REPORTS)}),
                   frozenset({REPORT}))


def test_a_crossing_counts_only_when_one_event_was_relayed_fetched_and_handled():
    observed = Observations(relayed={"e1", "e2"}, fetched={"e1", "e3"},
                            handled={(REGISTERED, CASES, "e2"), (REGISTERED, CASES, "e3")})
    # e2 was relayed but never fetched (handed over in memory), e3 fetched but not relayed
    # (a test wrote it itself): neither proves the crossing.
    assert uncovered(observed, KNOWN) == [Crossing(REGISTERED, CASES), Crossing(REPORT, REPORTS)]
    observed.handled.add((REGISTERED, CASES, "e1"))
    assert uncovered(observed, KNOWN) == [Crossing(REPORT, REPORTS)]


def test_a_providers_report_needs_no_relay_as_a_providers_system_writes_it():
    observed = Observations(fetched={"r1"}, handled={(REPORT, REPORTS, "r1")})
    assert Crossing(REPORT, REPORTS) not in uncovered(observed, KNOWN)


def test_observations_travel_from_a_worker_to_the_controller_unchanged():
    worker = Observations(relayed={"e1"}, fetched={"e1"}, handled={(REGISTERED, CASES, "e1")})
    controller = Observations()
    controller.add(worker.as_data())
    assert controller == worker


@pytest.fixture(scope="module")
def production() -> Boundaries:
    return boundaries()


def test_the_boundaries_are_read_from_the_services_consumers(production):
    crossings = production.crossings
    assert Crossing(REGISTERED, CASES) in crossings
    assert Crossing(REGISTERED, "ankommen.progress.cases") in crossings
    assert Crossing("ankommen.assignment.placement_confirmed.v1",
                    "ankommen.intake.placements") in crossings
    assert Crossing("ankommen.progress.exam_result_fact.v1", "ankommen.monitoring.facts") \
        in crossings
    assert Crossing(REPORT, REPORTS) in crossings and production.provider_channel == {REPORT}


def test_a_service_reading_its_own_events_crosses_no_boundary(production):
    for crossing in production.crossings:
        owner = crossing.event_type.split(".")[1]
        assert not crossing.group_id.startswith(f"ankommen.{owner}."), crossing


def test_a_retired_type_nobody_sends_any_more_is_no_crossing(production):
    # Monitoring still reads the retired ArrivalFact (old facts on the topic decode), but
    # intake no longer sends it: no test could make that crossing.
    assert not any(crossing.event_type == "ankommen.intake.arrival_fact.v1"
                   for crossing in production.crossings)
    assert Crossing("ankommen.intake.arrival_recorded.v1", "ankommen.monitoring.facts") \
        in production.crossings


def test_only_the_whole_suite_is_judged(pytestconfig):
    """Read with this run's own options (a misspelt option name fails here, in every run)."""
    whole = copy.copy(pytestconfig.option)
    whole.keyword, whole.markexpr, whole.deselect, whole.maxfail = "", "", None, 0
    testpaths = pytest.Config.ArgsSource.TESTPATHS
    assert whole_suite(testpaths, whole)
    assert not whole_suite(pytest.Config.ArgsSource.ARGS, whole)
    for option, value in (("keyword", "relay"), ("markexpr", "not slow"),
                          ("deselect", ["tests/test_types.py"]), ("maxfail", 1)):
        part = copy.copy(whole)
        setattr(part, option, value)
        assert not whole_suite(testpaths, part), option
