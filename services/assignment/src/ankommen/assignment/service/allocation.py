"""Running an allocation (*Platzvergabe*): on demand, as a dry run, and after every event that
frees a seat or adds a person or a course.

The run reads every waiting person and every free seat, lets the optimiser decide, then — unless
it is a dry run — records each placement with its explanation and announces it
(``PlacementOffered`` plus de-identified facts), records why everybody else still waits
(``Waitlisted`` when the reason is new, ``DemandUnmetFact`` once a month) and reports changed
seat figures (``CourseCapacityFact``): all in the run's transaction.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

from ankommen.assignment.adapters.placements import PlacementRepository
from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.allocation import Allocation, allocate
from ankommen.assignment.domain.candidates import who_could_take_a_seat
from ankommen.assignment.domain.courses import Applicant, Seats, district_of
from ankommen.assignment.domain.lifecycle import (
    DEFAULT_OFFER_RESPONSE_DAYS,
    DEFAULT_POSTPONEMENT_WEEKS,
    offer_expires_on,
)
from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.assignment.domain.referral import new_referral_code
from ankommen.assignment.domain.scoring import PriorityRules
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.assignment.service.day_turn import turn_day
from ankommen.assignment.service.facts import (
    month_of,
    previous_course_types,
    publish_capacity_changes,
    publish_placement_facts,
    publish_unmet_demand,
    record_key,
)
from ankommen.assignment.service.placement_index import (
    KeptIndex,
    catalogue_key,
    placement_index,
)
from ankommen.shared.events.contracts.assignment import (
    PlacementOffered,
    WaitingDaysBand,
    Waitlisted,
    WaitlistedFact,
    WaitlistReason,
)


@dataclass(frozen=True)
class AllocationPolicy:
    """How this county allocates: the priority rules, and whether every relevant event
    (new person, freed seat, new course) reallocates at once or a coordinator runs it."""

    priority: PriorityRules = PriorityRules()
    automatic: bool = True
    #: The county's districts: courses elsewhere are never allocated (nor accepted).
    districts: frozenset[str] = frozenset()
    #: Days an offer waits for confirmation where its course sets none.
    offer_response_days: int = DEFAULT_OFFER_RESPONSE_DAYS
    #: How far the minimum rule moves a course short of its minimum on its start day.
    postponement_weeks: int = DEFAULT_POSTPONEMENT_WEEKS


@dataclass(frozen=True)
class AllocationOutcome:
    allocation: Allocation
    #: Placement id per pseudonym for the placements that were recorded (empty in a dry run).
    placement_ids: dict[str, str]


async def waiting_applicants(uow: AssignmentUnitOfWork, only: Collection[str] | None = None
                             ) -> list[tuple[WaitingPerson, Applicant]]:
    """Everyone on the waiting list (or those of ``only`` who wait), as stored and as the
    optimiser sees them."""
    waiting_list = uow.waiting_people
    waiting = await (waiting_list.all() if only is None else waiting_list.of(sorted(only)))
    pseudonyms = [person.pseudonym for person in waiting]
    known = await uow.cases.of_waiting(pseudonyms)
    declined = await uow.placements.declined_courses(pseudonyms)
    return [(person, Applicant(person.pseudonym, known[person.pseudonym][0],
                               person.waiting_since, person.wanted_course_type,
                               known[person.pseudonym][1] or None,
                               frozenset(declined.get(person.pseudonym, ()))))
            for person in waiting if person.pseudonym in known]


async def applicants(uow: AssignmentUnitOfWork) -> list[Applicant]:
    return [applicant for _, applicant in await waiting_applicants(uow)]


async def run_allocation(uow: AssignmentUnitOfWork, *, today: date, priority: PriorityRules,
                         districts: Collection[str], dry_run: bool = False,
                         offer_response_days: int = DEFAULT_OFFER_RESPONSE_DAYS
                         ) -> AllocationOutcome:
    """One allocation over everyone waiting and every free seat of the county's offer: courses
    approved by a coordinator in the county's ``districts`` (:meth:`Seats.offered`).

    Each table is read once per run and written with one statement per kind of change (not one
    per person). A run that places people also leaves its candidate index for the incremental
    steps that follow (:mod:`ankommen.assignment.service.placement_index`)."""
    if not dry_run:
        await uow.waiting_people.lock_for_allocation()
    waiting = await waiting_applicants(uow)
    catalogue = await uow.courses.seats(bookable_only=False)
    offer = [seats for seats in catalogue if seats.offered(districts, today)]
    if dry_run:
        people = [applicant for _, applicant in waiting]
        return AllocationOutcome(allocate(people, offer, today, priority,
                                          await uow.placements.provider_load()),
                                 {})
    outcome = await _allocate_and_record(uow, waiting, catalogue, offer, today, priority,
                                         offer_response_days)
    without_case = await uow.waiting_people.count() - len(waiting)
    await _keep_index(uow, outcome.allocation, {}, today, offer, without_case + len(
        outcome.allocation.placements))
    return outcome


async def place_incrementally(uow: AssignmentUnitOfWork, policy: AllocationPolicy, today: date,
                              touched: Collection[str]) -> AllocationOutcome:
    """After a batch of events: place only the people who could take a free seat, against the
    candidate index kept since the last run (issue 21, item 3) — or the full run if there is
    no usable index (:mod:`ankommen.assignment.service.placement_index`).

    Who could take a free seat: the people the batch touched (arrivals, changed surveys,
    people back on the list) and everyone waiting whom a course with a free seat fits. Nobody
    else fits any free seat, so the full optimiser would leave them where they are; over the
    people taken here it is the same optimiser with the same rules (priority, then days on the
    list, minimum participants) and the same optima, so a freed seat goes to whoever waits
    longest among those it fits and an arrival takes a seat only if nobody waiting longer fits
    it, a childcare place permitting (the two can differ only between people of equal rank or
    seatings of equal cost). What the step does not do: re-state the reasons and unmet demand
    of the people it leaves out (the next full run does — the first batch of each day, the
    scheduled round)."""
    await turn_day(uow, today, postponement_weeks=policy.postponement_weeks,
                   offer_response_days=policy.offer_response_days)
    waiting_list = uow.waiting_people
    catalogue = await uow.courses.seats(bookable_only=False)
    offer = [seats for seats in catalogue if seats.offered(policy.districts, today)]
    kept = placement_index(uow.database).usable(await waiting_list.allocation_runs(), today,
                                               catalogue_key(offer))
    if kept is None:
        return await run_allocation(uow, today=today, priority=policy.priority,
                                    districts=policy.districts,
                                    offer_response_days=policy.offer_response_days)
    fits = {pseudonym: courses for pseudonym, courses in kept.fits.items()
            if pseudonym not in touched}
    touched_waiting = set(await waiting_list.which_wait(sorted(touched)))
    if len(fits) + len(touched_waiting) + kept.without_case != await waiting_list.count():
        # Someone joined or left the list unnoticed (e.g. a case rekeyed by a merge).
        return await run_allocation(uow, today=today, priority=policy.priority,
                                    districts=policy.districts,
                                    offer_response_days=policy.offer_response_days)
    free = frozenset(seats.course.course_id for seats in offer if seats.free_seats > 0)
    candidates = touched_waiting | who_could_take_a_seat(fits, free)
    waiting = await waiting_applicants(uow, candidates)
    for pseudonym in candidates:
        fits.pop(pseudonym, None)
    # A touched person without a case here waits without being allocated (as in a full run).
    without_case = kept.without_case + len(touched_waiting) - len(
        [person for person, _ in waiting if person.pseudonym in touched_waiting])
    outcome = await _allocate_and_record(uow, waiting, catalogue, offer, today,
                                         policy.priority, policy.offer_response_days)
    await _keep_index(uow, outcome.allocation, fits, today, offer, without_case)
    return outcome


async def _allocate_and_record(uow: AssignmentUnitOfWork,
                               waiting: list[tuple[WaitingPerson, Applicant]],
                               catalogue: list[Seats], offer: list[Seats], today: date,
                               priority: PriorityRules, offer_response_days: int
                               ) -> AllocationOutcome:
    """Allocate ``waiting`` to the free seats of ``offer``; record and announce the
    placements, why the others still wait, and the changed seat figures."""
    people = [applicant for _, applicant in waiting]
    allocation = allocate(people, offer, today,
                          priority, await uow.placements.provider_load())
    placement_ids = await _record_placements(uow, allocation, people, catalogue, today,
                                             offer_response_days)
    await _record_still_waiting(uow, allocation, waiting, today)
    await publish_capacity_changes(uow, today, _with_placements(catalogue, allocation))
    return AllocationOutcome(allocation, placement_ids)


async def _keep_index(uow: AssignmentUnitOfWork, allocation: Allocation,
                      others: dict[str, frozenset[str]], today: date, offer: list[Seats],
                      without_case: int) -> None:
    """Keep who fits what for the next incremental step: ``others`` (the people this run left
    out) and those of the run still waiting; used once this transaction commits. A run's
    ``without_case``: waiting-list rows that have no case here."""
    fits = dict(others)
    index = allocation.index
    if index is not None:
        placed = {proposed.pseudonym for proposed in allocation.placements}
        for person, courses in zip(index.people, index.fitting_course_ids(), strict=True):
            if person.pseudonym not in placed:
                fits[person.pseudonym] = courses
    runs = await uow.waiting_people.allocation_runs()
    placement_index(uow.database).keep_after_commit(
        uow, KeptIndex(runs, today, catalogue_key(offer), fits, without_case))


async def _record_placements(uow: AssignmentUnitOfWork, allocation: Allocation,
                             people: list[Applicant], catalogue: list[Seats], today: date,
                             offer_response_days: int) -> dict[str, str]:
    """Store and announce the run's placements (with their facts and each offer's last day);
    the placed people leave the waiting list. Returns the placement id per pseudonym."""
    if not allocation.placements:
        return {}
    by_pseudonym = {person.pseudonym: person for person in people}
    by_course = {seats.course.course_id: seats.course for seats in catalogue}
    course_types = {course_id: course.course_type for course_id, course in by_course.items()}
    placed = [proposed.pseudonym for proposed in allocation.placements]
    previous = await previous_course_types(uow, placed, course_types)
    placement_repository = uow.placements
    codes = await _unique_referral_codes(placement_repository, len(placed))
    records: list[PlacementRecord] = []
    for proposed, code in zip(allocation.placements, codes, strict=True):
        person = by_pseudonym[proposed.pseudonym]
        await publish_placement_facts(uow, person, course_types[proposed.course_id],
                                      previous.get(person.pseudonym), today)
        record = PlacementRecord(
            placement_id=uuid.uuid4().hex, pseudonym=person.pseudonym,
            course_id=proposed.course_id, provider_id=proposed.provider_id,
            referral_code=code, status=PlacementStatus.OFFERED, offered_on=today,
            waiting_since=person.waiting_since, childcare=proposed.childcare,
            explanation=proposed.explanation(),
            expires_on=offer_expires_on(today, by_course[proposed.course_id].offer_response_days,
                                        offer_response_days))
        records.append(record)
        await uow.publish(PlacementOffered(
            placement_id=record.placement_id, pseudonym=record.pseudonym,
            referral_code=record.referral_code, course_id=record.course_id,
            provider_id=record.provider_id, offered_on=today, expires_on=record.expires_on),
            key=record.pseudonym, subject=record.pseudonym)
    await placement_repository.add_all(records)
    await uow.waiting_people.remove_all(placed)
    return {record.pseudonym: record.placement_id for record in records}


async def _record_still_waiting(uow: AssignmentUnitOfWork, allocation: Allocation,
                                waiting: list[tuple[WaitingPerson, Applicant]],
                                today: date) -> None:
    """Why each person left without a seat waits (``Waitlisted`` when the reason is new),
    and the month's unmet demand."""
    stored = {person.pseudonym: (person, applicant) for person, applicant in waiting}
    new_reasons: dict[str, str] = {}
    reported_unmet: list[str] = []
    for still in allocation.waiting:
        person, applicant = stored[still.pseudonym]
        if person.reason != still.reason.value:
            new_reasons[person.pseudonym] = still.reason.value
            await _announce_waiting(uow, person, still.reason, today)
        if await publish_unmet_demand(uow, applicant, person, still.reason, today):
            reported_unmet.append(person.pseudonym)
    waiting_list = uow.waiting_people
    await waiting_list.set_reasons(new_reasons)
    await waiting_list.mark_unmet_reported(reported_unmet, month_of(today))


def _with_placements(catalogue: list[Seats], allocation: Allocation) -> list[Seats]:
    """The catalogue's free seats after the run's placements (without reading them again)."""
    seats_taken = Counter(proposed.course_id for proposed in allocation.placements)
    childcare_taken = Counter(proposed.course_id for proposed in allocation.placements
                              if proposed.childcare)
    return [replace(seats, free_seats=seats.free_seats - seats_taken[seats.course.course_id],
                    free_childcare=seats.free_childcare
                    - childcare_taken[seats.course.course_id])
            for seats in catalogue]


async def _unique_referral_codes(repository: PlacementRepository, count: int) -> list[str]:
    """``count`` new referral codes, unique among themselves and in the database (checked with
    one query per round; a clash is rare, its code is simply drawn again)."""
    codes: set[str] = set()
    while len(codes) < count:
        drawn = {new_referral_code() for _ in range(count - len(codes))} - codes
        codes |= drawn - await repository.referral_codes_taken(sorted(drawn))
    return sorted(codes)


async def _announce_waiting(uow: AssignmentUnitOfWork, person: WaitingPerson,
                            reason: WaitlistReason, today: date) -> None:
    await uow.publish(Waitlisted(pseudonym=person.pseudonym, reason=reason,
                                 waiting_since=person.waiting_since),
                      key=person.pseudonym, subject=person.pseudonym)
    fact = WaitlistedFact(record_key=record_key(), month=month_of(today),
                          district=district_of(person.region_key), reason=reason,
                          waiting_days=WaitingDaysBand.of((today - person.waiting_since).days))
    await uow.publish(fact, key=fact.record_key)


async def allocate_now(uow: AssignmentUnitOfWork, policy: AllocationPolicy, today: date
                       ) -> AllocationOutcome:
    """An allocation that places people (not a dry run): first the day turn brings courses and
    offers up to ``today`` (:mod:`ankommen.assignment.service.day_turn`), then the run."""
    await turn_day(uow, today, postponement_weeks=policy.postponement_weeks,
                   offer_response_days=policy.offer_response_days)
    return await run_allocation(uow, today=today, priority=policy.priority,
                                districts=policy.districts,
                                offer_response_days=policy.offer_response_days)


async def reallocate(uow: AssignmentUnitOfWork, policy: AllocationPolicy,
                     today: date | None = None) -> None:
    """After an event that adds a person or frees a seat, and on schedule: the day turn, then
    an allocation unless done by hand (the seat figures are reported either way)."""
    today = today or uow.clock.today()
    if policy.automatic:
        await allocate_now(uow, policy, today)
    else:
        await turn_day(uow, today, postponement_weeks=policy.postponement_weeks,
                   offer_response_days=policy.offer_response_days)
        await publish_capacity_changes(uow, today)


async def place_after(uow: AssignmentUnitOfWork, policy: AllocationPolicy, touched: Collection[str],
                      today: date | None = None) -> None:
    """After events or answers that add people to the list or free seats (a consumed batch, a
    decline): the incremental step for the people ``touched`` — or, when coordinators
    allocate by hand, the day turn and the seat figures only (:func:`reallocate`)."""
    today = today or uow.clock.today()
    if policy.automatic:
        await place_incrementally(uow, policy, today, touched)
    else:
        await reallocate(uow, policy, today)
