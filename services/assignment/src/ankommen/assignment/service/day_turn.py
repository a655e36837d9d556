"""The day turn: before every allocation, the stored state is brought up to ``today`` (the
county's day by the service clock), so that courses start and end and offers run out without
anybody clicking anything (issue 16, docs/assignment.md "Courses and offers by the calendar").

In this order, each step idempotent (a second turn on the same day finds nothing to do):

1. courses whose start day has come: the minimum rule postpones or cancels an approved course
   short of its minimum (its undecided placements withdrawn, the people back on the list with
   their place); every other one becomes ``running`` (or ``completed`` if it has ended too);
2. running courses past their last day become ``completed``;
3. offers past their last day (``expires_on``) expire (``PlacementExpired``) — offers made
   before offers had a last day first get the default one;
4. placements still offered or confirmed in a course past its last day are withdrawn
   (``course_ended``).

Every status change is published (``CourseUpdated`` with the full course, ``CourseCancelled``)
so that progress, intake and monitoring follow. Each step is one indexed query (by status and
date) that finds nothing on most turns: the turn runs before every batch's allocation, so what
it costs when nothing is due is what every batch pays.
"""

from __future__ import annotations

import logging
from datetime import date

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.lifecycle import (
    StartDecision,
    expired_on,
    offer_expires_on,
    on_start_day,
    postponed,
    status_by_date,
)
from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.service.withdrawals import (
    cancel,
    return_to_waiting_list,
    withdraw,
    withdraw_from_course,
)
from ankommen.shared.events.contracts.assignment import (
    Course,
    CourseUpdated,
    PlacementExpired,
    WithdrawalReason,
)

logger = logging.getLogger(__name__)


async def turn_day(uow: AssignmentUnitOfWork, today: date, *, postponement_weeks: int,
                   offer_response_days: int) -> None:
    """Bring courses and placements up to ``today``, in the caller's transaction. Takes the
    allocation lock first, so that two turns never postpone or expire the same thing twice.
    ``offer_response_days``: the county's default, for offers made before offers had a last
    day."""
    await uow.waiting_people.lock_for_allocation()
    await _start_due_courses(uow, today, postponement_weeks)
    await _complete_ended_courses(uow, today)
    await _give_old_offers_a_last_day(uow, offer_response_days)
    await _expire_offers(uow, today)
    await _withdraw_from_ended_courses(uow, today)


async def _changed(uow: AssignmentUnitOfWork, course: Course) -> None:
    await uow.courses.replace(course)
    await uow.publish(CourseUpdated(course=course), key=course.course_id)


async def _start_due_courses(uow: AssignmentUnitOfWork, today: date,
                             postponement_weeks: int) -> None:
    placements = uow.placements
    for course in await uow.courses.due_to_start(today):
        holding = await placements.active_in_course(course.course_id)
        enrolled = sum(record.status is PlacementStatus.ENROLLED for record in holding)
        decision = on_start_day(course, len(holding), enrolled, today)
        if decision is StartDecision.POSTPONE:
            later = postponed(course, postponement_weeks)
            logger.info("course postponed for lacking its minimum", extra={
                "course_id": course.course_id, "held": len(holding),
                "starts_on": later.starts_on.isoformat()})
            await _changed(uow, later)
            await withdraw_from_course(uow, course.course_id, WithdrawalReason.COURSE_POSTPONED)
        elif decision is StartDecision.CANCEL:
            logger.info("postponed course cancelled for lacking its minimum again", extra={
                "course_id": course.course_id, "held": len(holding)})
            await cancel(uow, course)
        else:
            await _changed(uow, course.model_copy(
                update={"status": status_by_date(course, today)}))


async def _complete_ended_courses(uow: AssignmentUnitOfWork, today: date) -> None:
    for course in await uow.courses.running_past_end(today):
        await _changed(uow, course.model_copy(update={"status": status_by_date(course, today)}))


async def _give_old_offers_a_last_day(uow: AssignmentUnitOfWork, default_days: int) -> None:
    """Offers made before this version (migration 0009 left them without ``expires_on``) get
    the last day a new offer would have: their offer day plus the county's default. Only the
    first turn finds any; an offer made months ago then expires at once instead of holding its
    seat for ever."""
    placements = uow.placements
    for record in await placements.offers_without_last_day():
        await placements.set_last_day(record.placement_id, offer_expires_on(
            record.offered_on, None, default_days))


async def _expire_offers(uow: AssignmentUnitOfWork, today: date) -> None:
    """Offers not confirmed by their last day: the seat is free again, the person waits with
    their original place and is not offered that course again (the provider did not take
    them, like a declined offer)."""
    placements = uow.placements
    for record in await placements.offers_past_last_day(today):
        await placements.set_status(record.placement_id, PlacementStatus.EXPIRED)
        await uow.publish(PlacementExpired(
            placement_id=record.placement_id, pseudonym=record.pseudonym,
            referral_code=record.referral_code, course_id=record.course_id,
            provider_id=record.provider_id,
            expired_on=expired_on(record.expires_on) if record.expires_on else today),
            key=record.pseudonym, subject=record.pseudonym)
        await return_to_waiting_list(uow, record)


async def _withdraw_from_ended_courses(uow: AssignmentUnitOfWork, today: date) -> None:
    for record in await uow.placements.undecided_in_ended_courses(today):
        await withdraw(uow, record, WithdrawalReason.COURSE_ENDED)
