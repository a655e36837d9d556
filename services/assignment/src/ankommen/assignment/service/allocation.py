"""Running an allocation (*Platzvergabe*): on demand, as a dry run, and after every event that
frees a seat or adds a person or a course.

The run reads every waiting person and every free seat, lets the optimiser decide, then — unless
it is a dry run — records each placement with its explanation and announces it
(``PlacementOffered`` plus a de-identified fact), and records why everybody else still waits
(``Waitlisted`` when the reason is new).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date

from ankommen.assignment.adapters.catalogue import CourseRepository
from ankommen.assignment.adapters.placements import PlacementRepository
from ankommen.assignment.adapters.repository import CaseRepository, WaitingListRepository
from ankommen.assignment.domain.allocation import Allocation, allocate
from ankommen.assignment.domain.courses import Applicant, district_of
from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.assignment.domain.referral import new_referral_code
from ankommen.assignment.domain.scoring import PriorityRules
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.assignment import (
    PlacementMadeFact,
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


@dataclass(frozen=True)
class AllocationOutcome:
    allocation: Allocation
    #: Placement id per pseudonym for the placements that were recorded (empty in a dry run).
    placement_ids: dict[str, str]


async def applicants(uow: UnitOfWork) -> list[Applicant]:
    waiting = await WaitingListRepository(uow.session).all()
    case_repository = CaseRepository(uow.session)
    surveys = await case_repository.surveys([person.pseudonym for person in waiting])
    previous = await case_repository.previous_providers()
    declined: dict[str, set[str]] = {}
    for record in await PlacementRepository(uow.session).all():
        if record.status is PlacementStatus.DECLINED:
            declined.setdefault(record.pseudonym, set()).add(record.course_id)
    return [Applicant(person.pseudonym, surveys[person.pseudonym], person.waiting_since,
                      person.wanted_course_type, previous.get(person.pseudonym),
                      frozenset(declined.get(person.pseudonym, ())))
            for person in waiting if person.pseudonym in surveys]


async def run_allocation(uow: UnitOfWork, *, today: date, priority: PriorityRules,
                         dry_run: bool = False) -> AllocationOutcome:
    waiting_list = WaitingListRepository(uow.session)
    if not dry_run:
        await waiting_list.lock_for_allocation()
    people = await applicants(uow)
    placement_repository = PlacementRepository(uow.session)
    allocation = allocate(people, await CourseRepository(uow.session).seats(), today, priority,
                          await placement_repository.provider_load())
    if dry_run:
        return AllocationOutcome(allocation, {})
    by_pseudonym = {person.pseudonym: person for person in people}
    placement_ids = {}
    for proposed in allocation.placements:
        person = by_pseudonym[proposed.pseudonym]
        record = PlacementRecord(
            placement_id=uuid.uuid4().hex, pseudonym=person.pseudonym,
            course_id=proposed.course_id, provider_id=proposed.provider_id,
            referral_code=await _unique_referral_code(placement_repository),
            status=PlacementStatus.OFFERED, offered_on=today,
            waiting_since=person.waiting_since, childcare=proposed.childcare,
            explanation=proposed.explanation())
        await placement_repository.add(record)
        await waiting_list.remove(person.pseudonym)
        placement_ids[person.pseudonym] = record.placement_id
        await uow.publish(PlacementOffered(
            placement_id=record.placement_id, pseudonym=record.pseudonym,
            referral_code=record.referral_code, course_id=record.course_id,
            provider_id=record.provider_id, offered_on=today), key=record.pseudonym,
            subject=record.pseudonym)
        await _publish_placement_fact(uow, person, proposed.course_id, today)
    for still in allocation.waiting:
        person = by_pseudonym[still.pseudonym]
        current = await waiting_list.get(person.pseudonym)
        if current is not None and current.reason != still.reason.value:
            await _announce_waiting(uow, waiting_list, current, still.reason, today)
    return AllocationOutcome(allocation, placement_ids)


async def _unique_referral_code(repository: PlacementRepository) -> str:
    while True:
        code = new_referral_code()
        if not await repository.referral_code_taken(code):
            return code


def _month(today: date) -> str:
    return f"{today.year:04d}-{today.month:02d}"


async def _publish_placement_fact(uow: UnitOfWork, person: Applicant, course_id: str,
                                  today: date) -> None:
    course = await CourseRepository(uow.session).get(course_id)
    fact = PlacementMadeFact(record_key=secrets.token_hex(16), month=_month(today),
                             district=district_of(person.survey.region_key),
                             course_type=course.course_type,
                             waiting_days=WaitingDaysBand.of((today - person.waiting_since).days))
    await uow.publish(fact, key=fact.record_key)


async def _announce_waiting(uow: UnitOfWork, waiting_list: WaitingListRepository,
                            person: WaitingPerson, reason: WaitlistReason, today: date) -> None:
    await waiting_list.set_reason(person.pseudonym, reason.value)
    await uow.publish(Waitlisted(pseudonym=person.pseudonym, reason=reason,
                                 waiting_since=person.waiting_since),
                      key=person.pseudonym, subject=person.pseudonym)
    fact = WaitlistedFact(record_key=secrets.token_hex(16), month=_month(today),
                          district=district_of(person.region_key), reason=reason,
                          waiting_days=WaitingDaysBand.of((today - person.waiting_since).days))
    await uow.publish(fact, key=fact.record_key)


async def reallocate(uow: UnitOfWork, policy: AllocationPolicy) -> None:
    """After an event that adds a person or frees a seat: allocate, unless done by hand."""
    if policy.automatic:
        await run_allocation(uow, today=date.today(), priority=policy.priority)
