"""Duplicates found after registration: record the suspicion, then merge or dismiss it.

Merging keeps the surviving case (and its identity), keeps the other one's spellings as
aliases of it (:mod:`.aliases`), erases the other one's identity and
announces ``CasesMerged`` so that downstream services move the merged pseudonym's rows to the
surviving one.
"""

from __future__ import annotations

import uuid

from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.audit import AuditAction, Purpose
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.duplicates import DuplicateSuspected, SuspicionStatus
from ankommen.intake.domain.identity import Alias
from ankommen.intake.domain.match_model import MODEL, probability
from ankommen.intake.domain.matching import Comparable
from ankommen.intake.service.aliases import keep_aliases, read_aliases
from ankommen.intake.service.case_work import existing_case, record_audit
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.errors import Conflict, DomainError, NotFound
from ankommen.shared.events.contracts.intake import CasesMerged
from ankommen.shared.identity.auth import Principal


async def suspect_duplicate(uow: IntakeUnitOfWork, protection: IdentityProtection,
                            case_id: uuid.UUID, other_case_id: uuid.UUID,
                            actor: Principal) -> DuplicateSuspected:
    """Record that two cases may be one person, scored like at registration."""
    if case_id == other_case_id:
        raise DomainError("other_case_id: the same case", field="other_case_id")
    score = probability(_best_weight(await _records(uow, protection, case_id),
                                     await _records(uow, protection, other_case_id)))
    suspicion = DuplicateSuspected(case_id, other_case_id, score, uow.clock.now())
    await uow.suspicions.add(suspicion)
    await record_audit(uow, actor, AuditAction.SUSPECT_DUPLICATE, case_id,
                       Purpose.DUPLICATE_REVIEW)
    await uow.commit()
    return suspicion


async def _records(uow: IntakeUnitOfWork, protection: IdentityProtection,
                   case_id: uuid.UUID) -> list[Comparable]:
    """A case's comparable records: its identity and each of its aliases, with the gender
    from its survey."""
    case = await existing_case(uow, case_id)
    stored = await uow.identities.load(case_id)
    if stored is None:
        raise NotFound("case_id: the case has no identity", field="case_id")
    spellings = [protection.vault.open(case_id, *stored)]
    spellings += [kept.alias.as_identity()
                  for kept in await read_aliases(uow, protection, case_id, stored[0])]
    return [Comparable.of_identity(spelling, gender=case.survey.gender.value)
            for spelling in spellings]


def _best_weight(left: list[Comparable], right: list[Comparable]) -> float:
    """Two cases are as alike as their most alike spellings (identity or alias)."""
    return max(MODEL.weight(one, other) for one in left for other in right)


async def scan_for_duplicates(uow: IntakeUnitOfWork, protection: IdentityProtection,
                              actor: Principal, limit: int = 1000) -> list[DuplicateSuspected]:
    """Look through the existing cases for pairs that are likely one person — e.g. after
    someone was registered twice as 'different person', or after the folding rules improved —
    and record each new one as an open suspicion for staff to merge or dismiss."""
    known = await uow.suspicions.known_pairs()
    keys: dict[uuid.UUID, list[Comparable]] = {}

    async def key_of(case_id: uuid.UUID) -> list[Comparable]:
        if case_id not in keys:  # each identity decrypted once per scan
            keys[case_id] = await _records(uow, protection, case_id)
        return keys[case_id]

    found: list[DuplicateSuspected] = []
    for case_id, other_case_id in await uow.identities.pairs_sharing_digests(limit):
        if frozenset((case_id, other_case_id)) in known:
            continue
        weight = _best_weight(await key_of(case_id), await key_of(other_case_id))
        if MODEL.is_possible_duplicate(weight):
            suspicion = DuplicateSuspected(case_id, other_case_id, probability(weight),
                                           uow.clock.now())
            await uow.suspicions.add(suspicion)
            found.append(suspicion)
    await record_audit(uow, actor, AuditAction.SCAN_DUPLICATES, None, Purpose.DUPLICATE_REVIEW)
    await uow.commit()
    return found


async def _keep_spellings(uow: IntakeUnitOfWork, protection: IdentityProtection, surviving: Case,
                          merged_case_id: uuid.UUID) -> None:
    """Re-encrypt the merged case's identity and aliases under the surviving case's data
    key, as aliases of it, before the merged case's key is destroyed."""
    store = uow.identities
    merged = await store.load(merged_case_id, for_update=True)
    survivor = await store.load(surviving.case_id, for_update=True)
    if merged is None or merged[0] is None or survivor is None or survivor[0] is None:
        return  # nothing readable to keep, or no identity to keep it with
    merged_key, merged_ciphertext = merged
    spellings = [kept.alias for kept in await read_aliases(uow, protection, merged_case_id,
                                                           merged_key)]
    spellings.append(Alias.of(protection.vault.open(merged_case_id, merged_key,
                                                    merged_ciphertext)))
    await keep_aliases(uow, protection, surviving.case_id, survivor[0],
                       protection.vault.open(surviving.case_id, *survivor), spellings,
                       surviving.survey.gender.value)


async def _open_suspicion(uow: IntakeUnitOfWork, suspicion_id: uuid.UUID
                          ) -> DuplicateSuspected:
    suspicion = await uow.suspicions.get(suspicion_id)
    if suspicion is None:
        raise NotFound("suspicion_id: no such suspicion", field="suspicion_id")
    if suspicion.status is not SuspicionStatus.OPEN:
        raise Conflict("suspicion_id: already resolved", field="suspicion_id")
    return suspicion


async def dismiss_duplicate(uow: IntakeUnitOfWork, suspicion_id: uuid.UUID,
                            actor: Principal) -> DuplicateSuspected:
    suspicion = await _open_suspicion(uow, suspicion_id)
    suspicion.resolve(SuspicionStatus.DIFFERENT_PERSON, uow.clock.now())
    await uow.suspicions.save(suspicion)
    await record_audit(uow, actor, AuditAction.DISMISS_DUPLICATE, suspicion.case_id,
                       Purpose.DUPLICATE_REVIEW)
    await uow.commit()
    return suspicion


async def merge_duplicate(uow: IntakeUnitOfWork, protection: IdentityProtection,
                          suspicion_id: uuid.UUID, surviving_case_id: uuid.UUID,
                          actor: Principal) -> DuplicateSuspected:
    """The two cases are one person: ``surviving_case_id`` stays, the other one goes — its
    spelling (and its own aliases) kept as aliases of the surviving identity."""
    suspicion = await _open_suspicion(uow, suspicion_id)
    pair = {suspicion.case_id, suspicion.other_case_id}
    if surviving_case_id not in pair:
        raise DomainError("surviving_case_id: not one of the suspicion's cases",
                          field="surviving_case_id")
    (merged_case_id,) = pair - {surviving_case_id}
    surviving = await existing_case(uow, surviving_case_id)
    merged = await existing_case(uow, merged_case_id)
    suspicion.resolve(SuspicionStatus.MERGED, uow.clock.now())
    await uow.suspicions.save(suspicion)
    await _keep_spellings(uow, protection, surviving, merged_case_id)
    await uow.identities.destroy(merged_case_id)
    await uow.cases.remove(merged_case_id)
    # The merged case's placements are the surviving person's now (as downstream re-keys).
    await uow.placements.merge(merged.pseudonym, surviving.pseudonym)
    await record_audit(uow, actor, AuditAction.MERGE, surviving_case_id, Purpose.DUPLICATE_REVIEW)
    await uow.publish(CasesMerged(surviving_pseudonym=surviving.pseudonym,
                                  merged_pseudonym=merged.pseudonym),
                      key=merged.pseudonym, subject=merged.pseudonym)
    await uow.commit()
    return suspicion
