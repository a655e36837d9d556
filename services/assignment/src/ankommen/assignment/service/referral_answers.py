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
from enum import StrEnum

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.lifecycle import expired_on, expiry_refusal
from ankommen.assignment.domain.placement import OfferRow, PlacementRecord
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.assignment.service.placements import (
    InvalidReferralCode,
    confirm_placement,
    decline_placement,
    placement_by_referral_code,
)
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
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
class AnswerResult:
    """What became of one row of an answer: done, or refused with the page text's key and
    its values (the German reason is the page's, not the API's English detail)."""

    referral_code: str
    answer: Answer
    done: bool
    refusal: str | None = None
    values: dict[str, str] | None = None


async def offers_of(uow: AssignmentUnitOfWork, principal: Principal
                    ) -> tuple[list[OfferRow], list[OfferRow]]:
    """The provider's (a coordinator's: every) open offers, oldest answer-by date first, and
    its latest :data:`ANSWERED_SHOWN` answered or ended placements, newest first."""
    provider = (principal.provider_id or "") if principal.role is Role.PROVIDER else None
    return (await uow.placements.offer_rows(provider, answered=False),
            await uow.placements.offer_rows(provider, answered=True, limit=ANSWERED_SHOWN))


async def answer_referrals(uow: UnitOfWorkFactory[AssignmentUnitOfWork], principal: Principal,
                           codes: Sequence[str], answer: Answer, *, policy: AllocationPolicy
                           ) -> list[AnswerResult]:
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
                await unit.commit()
            results.append(AnswerResult(code, answer, True))
        except DomainError as error:
            refusal, values = await _why(uow, principal, code, error)
            results.append(AnswerResult(code, answer, False, refusal, values))
    return results


async def _why(uow: UnitOfWorkFactory[AssignmentUnitOfWork], principal: Principal, code: str,
               error: DomainError) -> tuple[str, dict[str, str]]:
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

