"""Placement use cases: a person confirms or declines an offer; a freed seat goes to the
waiting list at once. An offer past its last day cannot be confirmed any more.

``return_to_waiting_list`` lives in :mod:`ankommen.assignment.service.withdrawals` (the day
turn needs it too) and is importable from here as before."""

from __future__ import annotations

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.lifecycle import expiry_refusal
from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.assignment.domain.referral import is_valid_referral_code, normalised_referral_code
from ankommen.assignment.service.allocation import AllocationPolicy, place_after
from ankommen.assignment.service.withdrawals import return_to_waiting_list
from ankommen.shared.errors import Conflict, DomainError, Forbidden, NotFound
from ankommen.shared.events.contracts.assignment import (
    Placement,
    PlacementConfirmed,
    PlacementDeclined,
)
from ankommen.shared.identity.auth import Principal, Role


async def placement_for(uow: AssignmentUnitOfWork, principal: Principal, placement_id: str
                        ) -> PlacementRecord:
    record = await uow.placements.get(placement_id)
    if record is None:
        raise NotFound("placement_id: no such placement", field="placement_id")
    if principal.role is Role.PROVIDER and principal.provider_id != record.provider_id:
        raise Forbidden("placement_id: not a placement in your courses", field="placement_id")
    return record


class InvalidReferralCode(DomainError):
    """A code that cannot be one of ours (format or check character): input, hence 422."""

    status = 422
    title = "Invalid request"


async def placement_by_referral_code(uow: AssignmentUnitOfWork, principal: Principal, code: str
                                     ) -> PlacementRecord:
    """The placement a provider knows by its referral code. Another provider's code answers
    exactly like an unknown one (404), so a provider cannot learn that a code exists
    elsewhere; a mistyped code is caught by the check character before any lookup."""
    code = normalised_referral_code(code)
    if not is_valid_referral_code(code):
        raise InvalidReferralCode("referral_code: not a valid referral code (format XXXX-XXXX-C, "
                          "check character must match)", field="referral_code")
    record = await uow.placements.by_referral_code(code)
    if record is None or (principal.role is Role.PROVIDER
                          and principal.provider_id != record.provider_id):
        raise NotFound("referral_code: no placement with this code in your courses",
                       field="referral_code")
    return record


def _announced(record: PlacementRecord, event_type: type[Placement]) -> Placement:
    return event_type(placement_id=record.placement_id, pseudonym=record.pseudonym,
                      referral_code=record.referral_code, course_id=record.course_id,
                      provider_id=record.provider_id)


async def confirm_placement(uow: AssignmentUnitOfWork, principal: Principal, placement_id: str
                            ) -> PlacementRecord:
    record = await placement_for(uow, principal, placement_id)
    if record.status is PlacementStatus.CONFIRMED:
        return record
    expired = expiry_refusal(record, uow.clock.today())
    if expired is not None:
        raise Conflict(expired, field="status")
    if record.status is not PlacementStatus.OFFERED:
        raise Conflict(f"status: the placement is {record.status}", field="status")
    if not await uow.placements.move_status(
            placement_id, PlacementStatus.OFFERED, PlacementStatus.CONFIRMED):
        # Changed meanwhile by a request that read it offered as we did (a confirmation sent
        # again): that one announced it.
        current = await placement_for(uow, principal, placement_id)
        if current.status is PlacementStatus.CONFIRMED:
            return current
        raise Conflict(f"status: the placement is {current.status}", field="status")
    await uow.cases.set_previous_provider(record.pseudonym,
                                                            record.provider_id)
    await uow.publish(_announced(record, PlacementConfirmed), key=record.pseudonym,
                      subject=record.pseudonym)
    return await placement_for(uow, principal, placement_id)


async def decline_placement(uow: AssignmentUnitOfWork, principal: Principal, placement_id: str, *,
                            policy: AllocationPolicy) -> PlacementRecord:
    """The person turned the seat down: they wait again (not for this course), the seat is
    reallocated in the same transaction."""
    record = await placement_for(uow, principal, placement_id)
    if record.status is PlacementStatus.DECLINED:
        return record
    if record.status not in (PlacementStatus.OFFERED, PlacementStatus.CONFIRMED):
        raise Conflict(f"status: the placement is {record.status}", field="status")
    if not await uow.placements.move_status(placement_id, record.status,
                                            PlacementStatus.DECLINED):
        # Changed meanwhile by a request that read it as we did: a decline sent again (that
        # one announced it and put the person back on the waiting list), or a confirmation
        # (409, as a confirmation after a decline is: the caller sees the new state).
        current = await placement_for(uow, principal, placement_id)
        if current.status is PlacementStatus.DECLINED:
            return current
        raise Conflict(f"status: the placement is {current.status}", field="status")
    await uow.publish(_announced(record, PlacementDeclined), key=record.pseudonym,
                      subject=record.pseudonym)
    await return_to_waiting_list(uow, record)
    # The freed seat, placed against the kept candidate index (the person who declined is
    # looked up again: that course no longer fits them).
    await place_after(uow, policy, {record.pseudonym})
    return await placement_for(uow, principal, placement_id)
