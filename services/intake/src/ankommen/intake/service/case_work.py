"""Everyday case work: look up, read (audited), correct the survey, close, export, erase.

Every use case that shows or changes a person's data writes an audit entry in the same
transaction, so a disclosure without its entry cannot happen. The use cases commit their
work; the helpers here that others build on (:func:`audited_read`, :func:`record_audit`)
do not, so that the composed use case stays one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ankommen.intake.adapters.audit import AuditEntry, actor_fields
from ankommen.intake.adapters.duplicates import DuplicateRepository
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.audit import AuditAction, Purpose
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.disclosure import Disclosure
from ankommen.intake.domain.duplicates import Candidate, DuplicateSuspected, SuspicionStatus
from ankommen.intake.domain.identity import Identity
from ankommen.intake.service.aliases import KeptAlias, read_aliases
from ankommen.intake.service.duplicate_check import likely_duplicates
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.errors import DomainError, NotFound
from ankommen.shared.events.contracts.intake import (
    CaseClosed,
    CaseErased,
    ClosureReason,
    SurveyUpdated,
)
from ankommen.shared.identity.auth import Principal


@dataclass(frozen=True)
class CaseRecord:
    """A case with the person's identity, as intake staff see it."""

    case: Case
    identity: Identity
    #: Earlier spellings of the person, oldest first (:mod:`.aliases`).
    aliases: list[KeptAlias] = field(default_factory=list[KeptAlias])


async def existing_case(uow: IntakeUnitOfWork, case_id: uuid.UUID) -> Case:
    case = await uow.cases.get(case_id)
    if case is None:
        raise NotFound("case_id: no such case", field="case_id")
    return case


async def record_audit(uow: IntakeUnitOfWork, actor: Principal, action: AuditAction,
                       case_id: uuid.UUID | None = None, purpose: Purpose | None = None
                       ) -> None:
    await uow.audit_entries.record(
        **actor_fields(actor), action=action.value, case_id=case_id,
        purpose=purpose.value if purpose else None)


async def open_identity(uow: IntakeUnitOfWork, protection: IdentityProtection,
                        case_id: uuid.UUID) -> Identity:
    stored = await uow.identities.load(case_id)
    if stored is None:
        raise NotFound("case_id: the case has no identity", field="case_id")
    return protection.vault.open(case_id, *stored)


async def read_case(uow: IntakeUnitOfWork, protection: IdentityProtection,
                    case_id: uuid.UUID, actor: Principal, purpose: Purpose) -> CaseRecord:
    record = await audited_read(uow, protection, case_id, actor, purpose)
    await uow.commit()
    return record


async def audited_read(uow: IntakeUnitOfWork, protection: IdentityProtection,
                       case_id: uuid.UUID, actor: Principal, purpose: Purpose) -> CaseRecord:
    """The case with its identity, the read audited (not committed: for use cases that
    read more in the same transaction)."""
    case = await existing_case(uow, case_id)
    stored = await uow.identities.load(case_id)
    if stored is None:
        raise NotFound("case_id: the case has no identity", field="case_id")
    identity = protection.vault.open(case_id, *stored)
    aliases = await read_aliases(uow, protection, case_id, stored[0])
    await record_audit(uow, actor, AuditAction.READ_IDENTITY, case_id, purpose)
    return CaseRecord(case, identity, aliases)


async def search_person(uow: IntakeUnitOfWork, protection: IdentityProtection, family_name: str,
                        given_names: str, birth_date: date, actor: Principal,
                        purpose: Purpose) -> list[Candidate]:
    """Cases likely belonging to this name and birth date (no identity in the answer)."""
    probe = Identity(family_name=family_name, given_names=given_names, birth_date=birth_date)
    found = await likely_duplicates(uow, protection, probe)
    await record_audit(uow, actor, AuditAction.SEARCH, None, purpose)
    await uow.commit()
    return found


async def update_survey(uow: IntakeUnitOfWork, case_id: uuid.UUID, answers: dict[str, Any],
                        actor: Principal) -> tuple[Case, dict[str, Any]]:
    """Apply corrected answers; announce only the fields that really changed."""
    if "age_years" in answers:
        raise DomainError("changes.age_years: derived from the birth date, not editable",
                          field="changes.age_years")
    case = await existing_case(uow, case_id)
    case.require_open()
    changes = case.survey_changes(answers)
    if changes:
        event = SurveyUpdated(pseudonym=case.pseudonym, changes=changes)
        case.survey = event.apply_to(case.survey)
        await uow.cases.save(case)
        await uow.publish(event, key=case.pseudonym, subject=case.pseudonym)
        await record_audit(uow, actor, AuditAction.UPDATE_SURVEY, case_id)
        await uow.commit()
    return case, changes


async def close_case(uow: IntakeUnitOfWork, case_id: uuid.UUID, closed_on: date,
                     reason: ClosureReason, actor: Principal) -> Case:
    case = await existing_case(uow, case_id)
    case.close(closed_on, reason)
    await uow.cases.save(case)
    await uow.publish(CaseClosed(pseudonym=case.pseudonym, closed_on=closed_on, reason=reason),
                      key=case.pseudonym, subject=case.pseudonym)
    await record_audit(uow, actor, AuditAction.CLOSE, case_id)
    await uow.commit()
    return case


async def erase_case(uow: IntakeUnitOfWork, case_id: uuid.UUID, actor: Principal) -> None:
    """Erasure (*Löschung*): destroy the data key (every copy of the identity, backups
    included, becomes unreadable), the blind indexes and the case; tell every service.

    The audit log keeps that an erasure happened — not whom it concerned."""
    case = await existing_case(uow, case_id)
    await uow.identities.destroy(case_id)
    await uow.suspicions.remove_involving(case_id)
    await uow.placements.erase(case.pseudonym)
    await uow.cases.remove(case_id)
    await uow.forget_published_events(case.pseudonym)
    await uow.audit_entries.forget_case(case_id)
    await record_audit(uow, actor, AuditAction.ERASE, None, Purpose.DATA_SUBJECT_REQUEST)
    await uow.publish(CaseErased(pseudonym=case.pseudonym), key=case.pseudonym,
                      subject=case.pseudonym)
    await uow.commit()


@dataclass(frozen=True)
class DataExport:
    """Everything intake stores about one person (GDPR Art. 15), and to whom it was
    disclosed."""

    record: CaseRecord
    suspicions: list[DuplicateSuspected]
    audit: list[AuditEntry]
    disclosures: list[Disclosure]


async def export_case(uow: IntakeUnitOfWork, protection: IdentityProtection,
                      case_id: uuid.UUID, actor: Principal) -> DataExport:
    record = await audited_read(uow, protection, case_id, actor, Purpose.DATA_SUBJECT_REQUEST)
    await record_audit(uow, actor, AuditAction.EXPORT, case_id, Purpose.DATA_SUBJECT_REQUEST)
    absorbed = await merged_into(uow.suspicions, case_id)
    exported = DataExport(record, await uow.suspicions.involving(case_id),
                          await uow.audit_entries.entries(case_id=case_id, limit=1000),
                          await uow.audit_entries.disclosures([case_id, *absorbed]))
    await uow.commit()
    return exported


async def merged_into(duplicates: DuplicateRepository, case_id: uuid.UUID) -> list[uuid.UUID]:
    """The cases merged into this one, and those merged into them before.

    A merge keeps the surviving case and removes the other, so the other side of every
    merged suspicion of a case that still exists was merged into it; a removed case cannot
    have been merged again, so the same holds one step further. The data disclosed under
    those cases' ids is the same person's, and belongs in their export."""
    found: list[uuid.UUID] = []
    pending, seen = [case_id], {case_id}
    while pending:
        for suspicion in await duplicates.involving(pending.pop()):
            if suspicion.status is not SuspicionStatus.MERGED:
                continue
            for other in (suspicion.case_id, suspicion.other_case_id):
                if other not in seen:
                    seen.add(other)
                    found.append(other)
                    pending.append(other)
    return found
