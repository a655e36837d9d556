"""The de-identified facts assignment publishes for monitoring, each through the outbox in the
transaction of the state change it describes. No fact carries a pseudonym or an exact date;
each has its own random record key (and is keyed by it), so monitoring cannot link facts to a
case or to each other.

- ``PlacementMadeFact`` per placement (waiting time in a band and in whole weeks begun), and a
  ``CourseTransitionFact`` beside it when the person ended an earlier course;
- ``DemandUnmetFact`` once per waiting person and month, at the first allocation run of the
  month that leaves them without a seat;
- ``CourseCapacityFact`` whenever the seats offered or taken of a district and course type
  change within the month, and for every pair at the first change of a month: monitoring keeps
  the last snapshot of each month (by its ``sequence``, per district and course type: a fact's
  time says only its month), never a sum.
"""

from __future__ import annotations

import secrets
from datetime import date

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.capacity import changed_figures, seat_figures
from ankommen.assignment.domain.courses import Applicant, Seats, district_of
from ankommen.assignment.domain.demand import needed_course_type
from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.shared.events.contracts.assignment import (
    CourseCapacityFact,
    CourseTransitionFact,
    DemandUnmetFact,
    PlacementMadeFact,
    WaitingDaysBand,
    WaitingWeeksBand,
    WaitlistReason,
    weeks_begun,
)
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.vocabulary import CourseType

#: Placements after which a new one is the next step of the chain, not a first placement.
ENDED = frozenset({PlacementStatus.COMPLETED, PlacementStatus.DISCONTINUED})


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def record_key() -> str:
    return secrets.token_hex(16)


async def _publish(uow: AssignmentUnitOfWork, fact: Fact) -> None:
    await uow.publish(fact, key=fact.record_key)


async def previous_course_types(uow: AssignmentUnitOfWork, pseudonyms: list[str],
                                course_types: dict[str, CourseType]) -> dict[str, CourseType]:
    """The course type of each person's most recently ended course, for those who have one
    (``course_types``: the catalogue's course type per course id)."""
    latest = await uow.placements.latest_courses(pseudonyms, ENDED)
    return {pseudonym: course_types[course_id] for pseudonym, course_id in latest.items()
            if course_id in course_types}


async def publish_placement_facts(uow: AssignmentUnitOfWork, person: Applicant,
                                  course_type: CourseType, previous: CourseType | None,
                                  today: date) -> None:
    """``previous``: the type of the person's most recently ended course, if any (then this
    placement is the next step of the chain).

    Waiting counts from ``waiting_since``: the day of registration for a first placement (so
    "placed within 6 weeks of arrival" is ``waiting_weeks <= 6`` among first placements), the
    day the earlier course ended for the next step of the chain."""
    days = (today - person.waiting_since).days
    district = district_of(person.survey.region_key)
    month = month_of(today)
    await _publish(uow, PlacementMadeFact(
        record_key=record_key(), month=month, district=district, course_type=course_type,
        waiting_days=WaitingDaysBand.of(days), waiting_weeks=weeks_begun(days),
        next_course=previous is not None))
    if previous is not None:
        await _publish(uow, CourseTransitionFact(
            record_key=record_key(), month=month, district=district,
            from_course_type=previous, to_course_type=course_type,
            weeks_between=WaitingWeeksBand.of(weeks_begun(days))))


async def publish_unmet_demand(uow: AssignmentUnitOfWork, person: Applicant, waiting: WaitingPerson,
                               reason: WaitlistReason, today: date) -> bool:
    """Once per wait and month: the person waited without a seat in this month. Returns
    whether it was published — the caller then marks the wait as reported for the month
    (``WaitingListRepository.mark_unmet_reported``, for all of a run's people at once)."""
    month = month_of(today)
    if waiting.unmet_reported_month == month:
        return False
    await _publish(uow, DemandUnmetFact(
        record_key=record_key(), month=month, district=district_of(person.survey.region_key),
        course_type_wanted=needed_course_type(person), reason=reason))
    return True


async def publish_capacity_changes(uow: AssignmentUnitOfWork, today: date,
                                   catalogue: list[Seats] | None = None) -> None:
    """A snapshot for every district and course type whose seat figures changed this month.

    ``catalogue``: every course with its free seats as they are now, if the caller knows them
    (an allocation run does); otherwise they are read."""
    month = month_of(today)
    reports = uow.capacity_reports
    if catalogue is None:
        catalogue = await uow.courses.seats(bookable_only=False)
    # A draft is no seat on offer: only approved courses count (a provider's unapproved
    # 500 seats would otherwise show on the public dashboard).
    now = seat_figures([seats for seats in catalogue if seats.course.approved],
                       today.replace(day=1))
    changed = changed_figures(now, await reports.of_month(month))
    await reports.save(month, changed)
    for (district, course_type), (offered, taken) in changed.items():
        await _publish(uow, CourseCapacityFact(
            record_key=record_key(), month=month, district=district,
            course_type=CourseType(course_type), seats_offered=offered, seats_taken=taken,
            sequence=await reports.next_sequence(district, course_type)))
