"""Reading the published statistics (``service.statistics``, ``service.publication``,
``service.review`` — through the read model ``service.views``) on the in-memory fakes: what
a published table, the key figures, the correction notes, the intake figures and the review
list say for what was recorded, that a request reads each measure's cells of a year once, and
that reading commits nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ankommen.monitoring.domain.bounds import Bounds, Reason, months_before
from ankommen.monitoring.domain.catalogue import BY_KEY
from ankommen.monitoring.domain.disclosure import DisclosurePolicy
from ankommen.monitoring.domain.periods import Period
from ankommen.monitoring.domain.review import Decision
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.monitoring.domain.tables import Query
from ankommen.monitoring.service.handlers import fact_recorder
from ankommen.monitoring.service.review import decide, review_list
from ankommen.monitoring.service.statistics import fact_intake
from ankommen.monitoring.service.views import statistics_views
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.consumer import Delivery
from tests.monitoring.facts_topic import arrival, placement
from tests.monitoring.fakes import FakeDatabase
from tests.support.clock import when_published

NOW = datetime.now(UTC)
MONTH = NOW.strftime("%Y-%m")
CLOSED = months_before(MONTH, 3)
COUNTY = ("03358", "03359")
BOUNDS = Bounds(frozenset(COUNTY), timedelta(days=5))
POLICY = DisclosurePolicy(5, 2, 10)
RULES = PublicationRules()
#: When this month's figures are published.
PUBLISHED = when_published(MONTH)


async def recorded(envelopes: list[Envelope]) -> FakeDatabase:
    database = FakeDatabase()
    async with database() as unit:
        await fact_recorder(BOUNDS, MovableClock(NOW), "monitoring.facts")(
            unit, [Delivery(registry.decode(envelope.to_bytes()), None)
                   for envelope in envelopes])
        await unit.commit()
    database.commits = 0
    return database


def arrivals(month: str = MONTH) -> Query:
    return Query(BY_KEY["arrivals-german_level"], Period.parse(month), None, COUNTY)


async def test_a_published_table_counts_what_was_recorded_under_disclosure_control():
    database = await recorded([arrival(MONTH, "03358", "A1") for _ in range(25)]
                              + [arrival(MONTH, "03359", "B1") for _ in range(3)])
    async with statistics_views(database, POLICY, RULES, PUBLISHED) as view:
        table = await view.table(arrivals())
    assert table.answered
    assert abs((table.total.count.value or 0) - 28) <= POLICY.max_deviation
    by_level = {row.label: row.count for row in table.rows}
    assert by_level["B1"].value is None  # 3 facts: below the minimum count
    assert database.commits == 0


async def test_a_table_is_not_answered_before_its_month_closed_nor_for_a_small_population():
    database = await recorded([arrival(MONTH, "03358", "A1") for _ in range(25)])
    async with statistics_views(database, POLICY, RULES, NOW) as view:
        assert not (await view.table(arrivals())).answered  # the month is still open
    small = await recorded([arrival(MONTH, "03358", "A1") for _ in range(5)])
    async with statistics_views(small, POLICY, RULES, PUBLISHED) as view:
        assert not (await view.table(arrivals())).answered


async def test_a_request_reads_the_cells_of_a_measure_and_year_once():
    database = await recorded([arrival(MONTH, "03358", "A1") for _ in range(25)]
                              + [placement(MONTH, "03358", waiting_weeks=w) for w in range(25)])
    reads: list[str] = []
    async with statistics_views(database, POLICY, RULES, PUBLISHED) as view:
        cells_of = view.unit.aggregates.cells_of

        async def counted(measure: str, first: str, last: str, district: str | None = None):
            reads.append(measure)
            return await cells_of(measure, first, last, district)

        view.unit.aggregates.cells_of = counted
        await view.table(arrivals())
        await view.table(Query(BY_KEY["arrivals-german_level"], Period.parse(MONTH), "03358",
                               COUNTY))
        figures = await view.key_figures(Period.parse(MONTH), None, 60, 6)
    assert abs((figures.arrivals.value or 0) - 25) <= POLICY.max_deviation
    assert sorted(reads) == sorted(set(reads))
    assert "arrivals" in reads and "placements" in reads


async def test_whether_anything_is_published_depends_on_facts_in_the_published_months():
    database = await recorded([arrival(CLOSED, "03358", "A1",
                                       datetime(int(CLOSED[:4]), int(CLOSED[5:]), 2,
                                                tzinfo=UTC))])
    async with statistics_views(FakeDatabase(), POLICY, RULES, PUBLISHED) as view:
        assert not await view.has_facts([MONTH, CLOSED])
    async with statistics_views(database, POLICY, RULES, PUBLISHED) as view:
        # Held for review (its month had closed when it arrived): not a fact counted.
        assert not await view.has_facts([MONTH, CLOSED])
    database = await recorded([arrival(MONTH, "03358", "A1")])
    async with statistics_views(database, POLICY, RULES, PUBLISHED) as view:
        assert await view.has_facts([MONTH])
        assert not await view.has_facts([CLOSED])


async def test_correction_notes_name_the_corrected_months_within_the_period():
    late = [arrival(CLOSED, "03358", "A2", datetime(int(CLOSED[:4]), int(CLOSED[5:]), 20,
                                                    tzinfo=UTC)) for _ in range(3)]
    database = await recorded(late)
    await decide(database, BOUNDS, Decision.APPLIED, "admin:a", NOW,
                 reason=Reason.CLOSED_MONTH)
    async with statistics_views(database, POLICY, RULES, PUBLISHED) as view:
        everything = await view.corrections()
        this_month = await view.corrections(MONTH, MONTH)
    assert [(note.month, note.facts) for note in everything] == [(CLOSED, 3)]
    assert this_month == []


async def test_the_intake_and_the_review_list_report_what_arrived_and_what_is_held():
    database = await recorded([arrival(MONTH, "03358", "A1"), arrival(MONTH, "09162", "A1"),
                               arrival(MONTH, "09163", "B1")])
    async with database() as unit:
        intake = await fact_intake(unit)
        overview = await review_list(unit, Reason.UNKNOWN_DISTRICT, limit=1)
    assert [(row.fact_type, row.applied, row.held, row.unused) for row in intake] == [
        ("ankommen.intake.arrival_recorded.v1", 1, 2, 0)]
    assert overview.pending == {reason.value: 2 if reason is Reason.UNKNOWN_DISTRICT else 0
                                for reason in Reason}
    assert len(overview.entries) == 1
    assert overview.decisions == []
    assert database.commits == 0
