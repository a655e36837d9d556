"""Recording facts: contributions go to their cells, facts for closed months are held for
review, fact types without contributions are counted as unused — and folding a batch in memory
gives the same changes whatever the order of its facts."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from ankommen.monitoring.domain.bounds import Bounds, Reason
from ankommen.monitoring.domain.cells import KEY_MODULUS, record_key_value, snapshot_rank
from ankommen.monitoring.domain.folding import FoldedFacts, Outcome
from ankommen.monitoring.service import handlers
from ankommen.shared.events.contracts.assignment import CourseCapacityFact, PlacementMadeFact
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.registry import DecodedEvent, registry

GRACE = timedelta(days=5)
ARRIVAL_TYPE = ArrivalRecorded.event_type


def bounds() -> Bounds:
    return Bounds(frozenset({"03358"}), GRACE)


def fold_fact(folded: FoldedFacts, event: DecodedEvent, received_at: datetime | None = None
              ) -> Outcome:
    """Received when it says it was published, unless the test says otherwise."""
    return handlers.fold_fact(folded, event, received_at or event.envelope.time)


class CourseWishFact(Fact):
    """A fact type monitoring has no contributions for (deliberately not registered)."""

    event_type: ClassVar[str] = "ankommen.tests.course_wish_fact.v1"


def arrival_recorded(german_level: str = "A2") -> ArrivalRecorded:
    return ArrivalRecorded(record_key=secrets.token_hex(16), month="2026-10", district="03358",
                           german_level=german_level, age_band="27_to_44", gender="female",
                           reads_latin_script=True, schooling_band="10_to_12",
                           needs_childcare=False, residence_status="other")


def capacity(offered: int, taken: int, sequence: int | None = None) -> CourseCapacityFact:
    return CourseCapacityFact(record_key=secrets.token_hex(16), month="2026-10",
                              district="03358", course_type="literacy", seats_offered=offered,
                              seats_taken=taken, sequence=sequence)


def decoded(fact: Fact, published_at: datetime) -> DecodedEvent:
    envelope = Envelope(type=fact.event_type, source="/tests", time=published_at,
                        data=fact.model_dump(mode="json"))
    return DecodedEvent(envelope=envelope, data=fact)


ON_TIME = datetime(2026, 10, 3, tzinfo=UTC)


def test_an_arrival_adds_one_to_its_cell_with_its_record_key():
    fact = arrival_recorded()
    folded = FoldedFacts(bounds())
    assert fold_fact(folded, decoded(fact, ON_TIME)) is Outcome.APPLIED
    [(address, cell)] = folded.cells.items()
    measure, month, district, dimensions = address
    assert (measure, month, district) == ("arrivals", "2026-10", "03358")
    assert "german_level=A2" in dimensions.split("|")
    assert cell == [1, record_key_value(fact.record_key)]
    assert folded.intake[ARRIVAL_TYPE].applied == 1


def test_facts_of_one_cell_add_their_counts_and_record_keys():
    facts = [arrival_recorded() for _ in range(3)]
    folded = FoldedFacts(bounds())
    for fact in facts:
        fold_fact(folded, decoded(fact, ON_TIME))
    [cell] = folded.cells.values()
    assert cell == [3, sum(record_key_value(fact.record_key) for fact in facts) % KEY_MODULUS]


def test_a_placement_counts_its_weeks_waited_as_a_value():
    fact = PlacementMadeFact(record_key=secrets.token_hex(16), month="2026-10", district="03358",
                             course_type="literacy", waiting_days="0-30", waiting_weeks=4,
                             next_course=False)
    folded = FoldedFacts(bounds())
    fold_fact(folded, decoded(fact, ON_TIME))
    fold_fact(folded, decoded(fact.model_copy(update={"record_key": secrets.token_hex(16)}),
                              ON_TIME))
    [((_, value), count)] = folded.values.items()
    assert (value, count) == (4, 2)


def test_a_fact_for_a_closed_month_is_held_for_review_and_added_nowhere():
    folded = FoldedFacts(bounds())
    late = datetime(2026, 11, 9, tzinfo=UTC)
    arrival, seats = decoded(arrival_recorded(), late), decoded(capacity(10, 5), late)
    assert fold_fact(folded, arrival) is Outcome.HELD
    assert fold_fact(folded, seats) is Outcome.HELD
    assert folded.cells == {} and folded.snapshots == {}
    assert folded.intake[ARRIVAL_TYPE].held == 1
    assert folded.intake[ARRIVAL_TYPE].last_published_at is None
    assert {event_id: (held.reason, held.month)
            for event_id, held in folded.held.items()} == {
        arrival.envelope.id: (Reason.CLOSED_MONTH, "2026-10"),
        seats.envelope.id: (Reason.CLOSED_MONTH, "2026-10")}


def test_a_fact_type_without_contributions_is_counted_as_unused():
    folded = FoldedFacts(bounds())
    moment = datetime(2026, 11, 9, 8, tzinfo=UTC)
    fold_fact(folded, decoded(CourseWishFact(record_key=secrets.token_hex(16)), moment))
    assert folded.cells == {}
    intake = folded.intake["ankommen.tests.course_wish_fact.v1"]
    assert (intake.applied, intake.held, intake.unused, intake.last_published_at) == (
        0, 0, 1, moment)


def test_the_snapshot_published_last_wins_and_ties_go_to_the_higher_rank():
    early, late = capacity(20, 10), capacity(30, 18)
    tied = [capacity(25, 12), capacity(26, 13)]
    folded = FoldedFacts(bounds())
    fold_fact(folded, decoded(late, ON_TIME + timedelta(hours=1)))
    fold_fact(folded, decoded(early, ON_TIME))
    [latest] = folded.snapshots.values()
    assert latest.counts == "seats=offered:30|seats=taken:18"

    folded = FoldedFacts(bounds())
    for fact in tied:
        fold_fact(folded, decoded(fact, ON_TIME))
    winner = max(tied, key=lambda fact: snapshot_rank(fact.record_key))
    [latest] = folded.snapshots.values()
    assert latest.key == record_key_value(winner.record_key)


def test_the_snapshot_with_the_greatest_sequence_wins_whatever_its_time():
    """Facts carry their month's start as their time (issue 15): all of a month's snapshots
    claim the same moment, and the producer's sequence orders them. A snapshot without a
    sequence (published before sequences existed) comes before every one with a sequence,
    however late its own time."""
    month_start = datetime(2026, 10, 1, tzinfo=UTC)
    old = capacity(40, 30)  # an exact time, late in the month
    first, second, third = capacity(20, 10, 1), capacity(30, 18, 2), capacity(25, 12, 3)
    for order in ([first, second, third], [third, second, first], [second, third, first]):
        folded = FoldedFacts(bounds())
        fold_fact(folded, decoded(old, datetime(2026, 10, 30, tzinfo=UTC)), ON_TIME)
        for fact in order:
            fold_fact(folded, decoded(fact, month_start), ON_TIME)
        [latest] = folded.snapshots.values()
        assert latest.counts == "seats=offered:25|seats=taken:12"
        assert latest.sequence == 3


def test_folding_does_not_depend_on_the_order_of_facts():
    moments = [ON_TIME + timedelta(minutes=minute) for minute in range(5)]
    events = ([decoded(arrival_recorded(level), moment)
               for level in ("A0", "A1", "B1") for moment in moments]
              + [decoded(capacity(20 + index, index), moment)
                 for index, moment in enumerate(moments)]
              + [decoded(arrival_recorded(), datetime(2026, 11, 20, tzinfo=UTC))])

    def fold(order: list[DecodedEvent]) -> tuple:
        folded = FoldedFacts(bounds())
        for event in order:
            fold_fact(folded, event)
        return folded.cells, folded.values, folded.snapshots, folded.intake, folded.held

    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    assert fold(events) == fold(shuffled) == fold(events[::-1])


def test_every_fact_declares_the_record_key_first():
    """Folding recognises facts of the same shape by their attributes after the record key."""
    facts = [model for model in registry.models.values() if issubclass(model, Fact)]
    assert facts
    assert all(next(iter(model.model_fields)) == "record_key" for model in facts)
