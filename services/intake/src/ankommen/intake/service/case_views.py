"""What the case work pages show of people: search results staff can recognise someone by,
the case page, and the two sides of a suspected duplicate — every disclosure audited.

The API's search answers case ids only; a clerk at the counter needs names, birth date,
birth place and nationality to pick the right person. Showing those is reading the
identity, so each case shown is written to the audit log with the purpose the clerk chose
(one entry per case, in the same transaction as the read): the log then answers "who saw
this person, and why" for searches as well as for opened cases. A use case that audited a
read commits even when it shows nothing in the end (an open pair of which one side is gone):
the decryption happened, so its entry stays.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ankommen.intake.adapters.audit import AuditEntry
from ankommen.intake.adapters.placements import PlacementRecord
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.audit import AuditAction, Purpose
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.disclosure import CourseFacts
from ankommen.intake.domain.duplicates import Candidate, DuplicateSuspected, SuspicionStatus
from ankommen.intake.domain.identity import FileNumber, FileNumberKind, Identity
from ankommen.intake.domain.letter import CourseDetails
from ankommen.intake.service.case_work import (
    CaseRecord,
    audited_read,
    existing_case,
    record_audit,
)
from ankommen.intake.service.duplicate_check import likely_duplicates
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.identity.auth import Principal


@dataclass(frozen=True)
class PersonSummary:
    """Enough of a case to recognise its person: identity, when and by whom registered,
    whether the case is still open."""

    case_id: uuid.UUID
    identity: Identity
    registered_on: date
    closed_on: date | None
    #: The office (signed-in principal) that registered the case, if the log still says.
    office: str | None = None
    score: float | None = None


async def summaries(uow: IntakeUnitOfWork, protection: IdentityProtection,
                    case_ids: Sequence[uuid.UUID], actor: Principal, action: AuditAction,
                    purpose: Purpose, scores: dict[uuid.UUID, float] | None = None
                    ) -> list[PersonSummary]:
    """The readable cases among ``case_ids`` (in that order), each read audited (not
    committed: the calling use case commits)."""
    offices = await uow.audit_entries.registered_by(case_ids)
    shown: list[PersonSummary] = []
    for case_id in case_ids:
        case = await uow.cases.get(case_id)
        stored = await uow.identities.load(case_id)
        if case is None or stored is None or stored[0] is None:
            continue  # erased or merged meanwhile: nothing to show
        shown.append(PersonSummary(case_id, protection.vault.open(case_id, *stored),
                                   case.registered_on, case.closed_on, offices.get(case_id),
                                   (scores or {}).get(case_id)))
        await record_audit(uow, actor, action, case_id, purpose)
    return shown


async def search_by_name(uow: IntakeUnitOfWork, protection: IdentityProtection,
                         family_name: str, given_names: str, birth_date: date,
                         actor: Principal, purpose: Purpose) -> list[PersonSummary]:
    """Cases likely this name and birth date (spelling variants included), recognisable."""
    probe = Identity(family_name=family_name, given_names=given_names, birth_date=birth_date)
    found = await likely_duplicates(uow, protection, probe)
    shown = await _shown_results(uow, protection, found, actor, purpose)
    await uow.commit()
    return shown


def file_number_digests(protection: IdentityProtection, number: str) -> set[str]:
    """The blind indexes a file number is stored under, for every kind: at the counter the
    clerk reads a number off a letter and may not know which agency's it is."""
    terms = {f"file:{kind.value}:{FileNumber(kind=kind, number=number).normalised}"
             for kind in FileNumberKind}
    return protection.blind_index.digests(terms)


async def search_by_file_number(uow: IntakeUnitOfWork, protection: IdentityProtection,
                                number: str, actor: Principal, purpose: Purpose
                                ) -> list[PersonSummary]:
    """Cases holding this file number (of any kind), found by its blind index — the number
    itself is never stored or compared in plaintext."""
    stored = await uow.identities.candidates(
        file_number_digests(protection, number), (), protection.candidate_limit)
    found = [Candidate(each.case_id, 1.0, each.registered_on) for each in stored]
    shown = await _shown_results(uow, protection, found, actor, purpose)
    await uow.commit()
    return shown


async def _shown_results(uow: IntakeUnitOfWork, protection: IdentityProtection,
                         found: list[Candidate], actor: Principal, purpose: Purpose
                         ) -> list[PersonSummary]:
    if not found:  # the search itself is audited even when it shows nobody
        await record_audit(uow, actor, AuditAction.SEARCH, None, purpose)
        return []
    return await summaries(uow, protection, [each.case_id for each in found], actor,
                           AuditAction.SEARCH, purpose,
                           {each.case_id: each.score for each in found})


async def review_candidates(uow: IntakeUnitOfWork, protection: IdentityProtection,
                            candidates: Iterable[Candidate], actor: Principal
                            ) -> list[PersonSummary]:
    """The likely existing cases of a registration, side by side with the new entry: each
    shown one audited as a read for duplicate review."""
    listed = list(candidates)
    shown = await summaries(uow, protection, [each.case_id for each in listed], actor,
                            AuditAction.READ_IDENTITY, Purpose.DUPLICATE_REVIEW,
                            {each.case_id: each.score for each in listed})
    await uow.commit()
    return shown


@dataclass(frozen=True)
class SuspectedPair:
    """An open suspicion with both people, for the review queue."""

    suspicion: DuplicateSuspected
    left: PersonSummary
    right: PersonSummary


async def open_pairs(uow: IntakeUnitOfWork, protection: IdentityProtection,
                     actor: Principal, limit: int = 50) -> list[SuspectedPair]:
    """The open suspicions whose two cases are both still readable, each side audited as a
    read for duplicate review."""
    pairs: list[SuspectedPair] = []
    for suspicion in await uow.suspicions.listed(SuspicionStatus.OPEN, limit):
        shown = await summaries(uow, protection, [suspicion.case_id, suspicion.other_case_id],
                                actor, AuditAction.READ_IDENTITY, Purpose.DUPLICATE_REVIEW)
        if len(shown) == 2:
            pairs.append(SuspectedPair(suspicion, *shown))
    await uow.commit()
    return pairs


async def open_pair(uow: IntakeUnitOfWork, protection: IdentityProtection,
                    suspicion_id: uuid.UUID, actor: Principal) -> SuspectedPair | None:
    """One open suspicion with both people (audited), or None if it is not open — or if
    one side is gone, the other side's read audited all the same."""
    suspicion = await uow.suspicions.get(suspicion_id)
    if suspicion is None or suspicion.status is not SuspicionStatus.OPEN:
        return None
    shown = await summaries(uow, protection, [suspicion.case_id, suspicion.other_case_id],
                            actor, AuditAction.READ_IDENTITY, Purpose.DUPLICATE_REVIEW)
    await uow.commit()
    return SuspectedPair(suspicion, *shown) if len(shown) == 2 else None


@dataclass(frozen=True)
class PlacementView:
    placement: PlacementRecord
    course: CourseFacts | None
    #: The course's title and provider name, where the catalogue announced them.
    details: CourseDetails | None = None


@dataclass(frozen=True)
class CaseOverview:
    """The case page: the record (identity, aliases, survey), the office that registered
    it, its placements as intake knows them, and its history from the audit log."""

    record: CaseRecord
    office: str | None
    placements: list[PlacementView] = field(default_factory=list[PlacementView])
    history: list[AuditEntry] = field(default_factory=list[AuditEntry])


async def case_overview(uow: IntakeUnitOfWork, protection: IdentityProtection,
                        case_id: uuid.UUID, actor: Principal, purpose: Purpose
                        ) -> CaseOverview:
    """Read (and audit) the case with everything intake knows about its person's pathway."""
    record = await audited_read(uow, protection, case_id, actor, purpose)
    placements = await uow.placements.of_pseudonym(record.case.pseudonym)
    courses = await uow.courses.of_ids(each.course_id for each in placements)
    shown = [PlacementView(each, courses.get(each.course_id),
                           await uow.courses.details(each.course_id)) for each in placements]
    offices = await uow.audit_entries.registered_by([case_id])
    overview = CaseOverview(record, offices.get(case_id), shown,
                            await uow.audit_entries.entries(case_id=case_id, limit=200))
    await uow.commit()
    return overview


async def merged_into_survivor(uow: IntakeUnitOfWork, case_id: uuid.UUID
                               ) -> uuid.UUID | None:
    """For a case id that no longer exists: the case it was merged into, if it was."""
    for suspicion in await uow.suspicions.involving(case_id):
        if suspicion.status is SuspicionStatus.MERGED:
            other = (suspicion.other_case_id if suspicion.case_id == case_id
                     else suspicion.case_id)
            if await uow.cases.get(other) is not None:
                return other
    return None


async def current_case(uow: IntakeUnitOfWork, case_id: uuid.UUID) -> Case:
    """The case without its identity (no audit: nothing personal is read)."""
    return await existing_case(uow, case_id)
