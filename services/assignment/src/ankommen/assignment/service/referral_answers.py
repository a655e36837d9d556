"""A provider answers its offers on a page: the open ones to confirm or decline, one at a time
or several at once, and the answered ones below.

Every answer goes through the same use cases as the API (``placement_by_referral_code`` then
``confirm_placement`` / ``decline_placement``), each in its own transaction: one refused row
(expired meanwhile, not this provider's, already declined) is reported for that row and the
others go through. Who the provider is comes from the signed-in principal only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Row, select

from ankommen.assignment.adapters.tables import courses, placements
from ankommen.assignment.domain.lifecycle import expired_on, expiry_refusal
from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.assignment.service.placements import (
    InvalidReferralCode,
    confirm_placement,
    decline_placement,
    placement_by_referral_code,
)
from ankommen.shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from ankommen.shared.errors import Conflict, DomainError, NotFound
from ankommen.shared.identity.auth import Principal, Role

#: Answered placements listed below the open offers (the latest): a page, not an archive.
ANSWERED_SHOWN = 200
#: Referral codes one bulk answer may carry (a provider's month of offers fits many times).
MAX_BULK = 200


class Answer(StrEnum):
    CONFIRM = "confirm"
    DECLINE = "decline"


@dataclass(frozen=True)
class OfferRow:
    """One placement as the provider's page lists it: no pseudonym, the code only."""

    referral_code: str
    course_title: str
    region_key: str
    status: PlacementStatus
    offered_on: date
    expires_on: date | None


@dataclass(frozen=True)
class AnswerResult:
    """What became of one row of an answer: done, or refused with the page text's key and
    its values (the German reason is the page's, not the API's English detail)."""

    referral_code: str
    answer: Answer
    done: bool
    refusal: str | None = None
    values: dict[str, str] | None = None


async def offers_of(uow: UnitOfWork, principal: Principal
                    ) -> tuple[list[OfferRow], list[OfferRow]]:
    """The provider's (a coordinator's: every) open offers, oldest answer-by date first, and
    its latest :data:`ANSWERED_SHOWN` answered or ended placements, newest first."""
    query = (select(placements.c.referral_code, courses.c.title, courses.c.region_key,
                    placements.c.status, placements.c.offered_on, placements.c.expires_on)
             .join(courses, courses.c.course_id == placements.c.course_id))
    if principal.role is Role.PROVIDER:
        query = query.where(placements.c.provider_id == (principal.provider_id or ""))
    offered = PlacementStatus.OFFERED.value
    open_rows = await uow.session.execute(query.where(placements.c.status == offered).order_by(
        placements.c.expires_on, placements.c.offered_on, placements.c.referral_code))
    answered_rows = await uow.session.execute(
        query.where(placements.c.status != offered)
        .order_by(placements.c.offered_on.desc(), placements.c.referral_code)
        .limit(ANSWERED_SHOWN))
    return [_row(row) for row in open_rows], [_row(row) for row in answered_rows]


def _row(row: Row[str, str, str, str, date, date | None]) -> OfferRow:
    code, title, region, status, offered_on, expires_on = row
    return OfferRow(code, title, region, PlacementStatus(status), offered_on, expires_on)


async def answer_referrals(uow: UnitOfWorkFactory, principal: Principal, codes: Sequence[str],
                           answer: Answer, *, policy: AllocationPolicy) -> list[AnswerResult]:
    """Confirm or decline each of ``codes`` (in order, duplicates once), each on its own."""
    results: list[AnswerResult] = []
    for code in dict.fromkeys(codes):
        try:
            async with uow() as unit:
                record = await placement_by_referral_code(unit, principal, code)
                if answer is Answer.CONFIRM:
                    await confirm_placement(unit, principal, record.placement_id)
                else:
                    await decline_placement(unit, principal, record.placement_id,
                                            policy=policy)
            results.append(AnswerResult(code, answer, True))
        except DomainError as error:
            refusal, values = await _why(uow, principal, code, error)
            results.append(AnswerResult(code, answer, False, refusal, values))
    return results


async def _why(uow: UnitOfWorkFactory, principal: Principal, code: str, error: DomainError
               ) -> tuple[str, dict[str, str]]:
    """The page's reason for a refused row. Another provider's code reads like an unknown
    one, as on the API."""
    if isinstance(error, InvalidReferralCode):
        return "referrals.refused.invalid", {}
    if isinstance(error, NotFound):
        return "referrals.refused.not_yours", {}
    if isinstance(error, Conflict):
        async with uow() as unit:
            record: PlacementRecord = await placement_by_referral_code(unit, principal, code)
            today = unit.clock.today()
        if record.expires_on is not None and expiry_refusal(record, today):
            return "referrals.refused.expired", {
                "day": expired_on(record.expires_on).strftime("%d.%m.%Y")}
        return "referrals.refused.status", {"status": record.status.value}
    return "referrals.refused.other", {}

