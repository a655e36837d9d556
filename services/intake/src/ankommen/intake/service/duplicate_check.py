"""Finding the existing cases a person may already have: blind-index candidates, decrypted
and scored (see :mod:`ankommen.intake.domain.matching`)."""

from __future__ import annotations

import uuid

from ankommen.intake.adapters.identity_store import IdentityStore
from ankommen.intake.adapters.repository import CaseRepository
from ankommen.intake.domain.duplicates import Candidate
from ankommen.intake.domain.identity import Identity
from ankommen.intake.domain.matching import NameKey, is_likely_duplicate, match_score
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.db.unit_of_work import UnitOfWork


async def likely_duplicates(uow: UnitOfWork, protection: IdentityProtection,
                            identity: Identity, *, exclude: uuid.UUID | None = None,
                            ) -> list[Candidate]:
    """Existing cases that are likely this person, the likeliest first. An equal external
    file number is certain (score 1); otherwise names and birth date decide."""
    store = IdentityStore(uow.session)
    limit = protection.candidate_limit
    file_digests = protection.file_number_digests(identity)
    certain = set(await store.cases_with_digests(file_digests, limit, exclude))
    possible = await store.cases_with_digests(file_digests | protection.name_digests(identity),
                                              limit, exclude)
    key = NameKey.of_identity(identity)
    cases = CaseRepository(uow.session)
    found = []
    for case_id in possible:
        stored = await store.load(case_id)
        case = await cases.get(case_id)
        if stored is None or case is None:
            continue
        score = 1.0 if case_id in certain else match_score(
            key, NameKey.of_identity(protection.vault.open(case_id, *stored)))
        if is_likely_duplicate(score):
            found.append(Candidate(case_id, score, case.registered_on))
    return sorted(found, key=lambda candidate: -candidate.score)
