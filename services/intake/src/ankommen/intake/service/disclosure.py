"""Disclosing a participant's contact details to the provider of their confirmed placement.

The provider asks by referral code (the only id it knows); intake answers only for codes that
are this provider's *confirmed* placements in a course a coordinator approved, in the county's
districts and running today (:func:`~ankommen.intake.domain.disclosure.placement_disclosable`),
of open cases whose person consented, with only the fields consented to
(:mod:`ankommen.intake.domain.disclosure`). Every disclosure is written to
the audit log in the same transaction — who asked, for which provider, which case, which
fields, when and why — so a disclosure without its entry cannot happen. Codes that are not
answered are not told apart (not yours, not confirmed, course not approved, elsewhere or over,
no consent): a provider cannot probe.
Identities are decrypted only for cases whose person consented.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from ankommen.intake.adapters.audit import actor_fields
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.audit import AuditAction, Purpose
from ankommen.intake.domain.disclosure import (
    ContactDetails,
    DisclosurePolicy,
    contact_details,
    may_disclose,
    placement_disclosable,
)
from ankommen.intake.service.case_work import open_identity
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.errors import Forbidden
from ankommen.shared.identity.auth import Principal


@dataclass(frozen=True)
class DisclosedContact:
    referral_code: str
    details: ContactDetails


async def disclose_contacts(uow: IntakeUnitOfWork, protection: IdentityProtection,
                            provider: Principal, referral_codes: Collection[str], *,
                            policy: DisclosurePolicy, today: date
                            ) -> list[DisclosedContact]:
    if not provider.provider_id:
        raise Forbidden("the token names no provider", field="provider_id")
    confirmed = await uow.placements.confirmed_for(provider.provider_id, referral_codes)
    courses = await uow.courses.of_ids(
        placement.course_id for placement in confirmed)
    disclosable = {placement.referral_code: placement.pseudonym for placement in confirmed
                   if placement_disclosable(placement, courses.get(placement.course_id),
                                            provider_id=provider.provider_id,
                                            districts=policy.districts, today=today,
                                            lead=policy.lead)}
    cases = await uow.cases.by_pseudonyms(disclosable.values())
    disclosed: list[DisclosedContact] = []
    for referral_code in sorted(disclosable):
        case = cases.get(disclosable[referral_code])
        if case is None or case.is_closed or not may_disclose(case.survey.consents):
            continue
        identity = await open_identity(uow, protection, case.case_id)
        details = contact_details(identity, case.survey.consents)
        if details is None:
            continue
        await uow.audit_entries.record(**actor_fields(provider),
                           action=AuditAction.DISCLOSE_CONTACT.value, case_id=case.case_id,
                           purpose=Purpose.PLACEMENT_DISCLOSURE.value,
                           recipient=provider.provider_id, disclosed=",".join(details.fields))
        disclosed.append(DisclosedContact(referral_code, details))
    await uow.commit()
    return disclosed
