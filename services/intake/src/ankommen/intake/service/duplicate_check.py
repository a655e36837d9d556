"""Finding the existing cases a person may already have: blind-index candidates, decrypted
and scored (see :mod:`ankommen.intake.domain.matching`)."""

from __future__ import annotations

import uuid

from ankommen.intake.adapters.identity_store import IdentityStore
from ankommen.intake.domain.duplicates import Candidate
from ankommen.intake.domain.identity import Identity
from ankommen.intake.domain.matching import NameKey, is_likely_duplicate, match_score
from ankommen.intake.service.protection import IdentityDigests, IdentityProtection
from ankommen.shared.db.unit_of_work import UnitOfWork


async def likely_duplicates(uow: UnitOfWork, protection: IdentityProtection,
                            identity: Identity, *, exclude: uuid.UUID | None = None,
                            digests: IdentityDigests | None = None) -> list[Candidate]:
    """Existing cases that are likely this person, the likeliest first. An equal external
    file number is certain (score 1, nothing decrypted); otherwise names and birth date
    decide. ``digests``: the identity's, if the caller has computed them already."""
    digests = digests or protection.lookup(identity)
    stored = await IdentityStore(uow.session).candidates(
        digests.file_numbers, digests.names, protection.candidate_limit, exclude)
    found = []
    for candidate in stored:
        score = 1.0 if candidate.certain else match_score(digests.key, NameKey.of_identity(
            protection.vault.open(candidate.case_id, candidate.wrapped_key,
                                  candidate.ciphertext)))
        if is_likely_duplicate(score):
            found.append(Candidate(candidate.case_id, score, candidate.registered_on))
    return sorted(found, key=lambda candidate: -candidate.score)
