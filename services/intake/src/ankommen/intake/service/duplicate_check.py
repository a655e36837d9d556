"""Finding the existing cases a person may already have: blind-index candidates, decrypted
and scored by the match model (see :mod:`ankommen.intake.domain.match_model`)."""

from __future__ import annotations

import uuid

from ankommen.intake.adapters.identity_store import IdentityStore
from ankommen.intake.domain.duplicates import Candidate
from ankommen.intake.domain.identity import Identity
from ankommen.intake.domain.match_model import MODEL, MatchModel, probability
from ankommen.intake.domain.matching import Comparable
from ankommen.intake.service.protection import IdentityDigests, IdentityProtection
from ankommen.shared.db.unit_of_work import UnitOfWork


def candidate_score(record: Comparable, candidate: Comparable,
                    model: MatchModel = MODEL) -> float | None:
    """The probability that ``candidate`` is the person of ``record``, or None below the
    model's warn threshold. A function of the two records alone, so that further records of
    one person (e.g. aliases) can be scored as candidates of their own."""
    weight = model.weight(record, candidate)
    return probability(weight) if model.is_possible_duplicate(weight) else None


async def likely_duplicates(uow: UnitOfWork, protection: IdentityProtection,
                            identity: Identity, *, gender: str | None = None,
                            exclude: uuid.UUID | None = None,
                            digests: IdentityDigests | None = None) -> list[Candidate]:
    """Existing cases that are likely this person, the likeliest first. An equal
    person-level file number (federal office, foreigners' office, central register) is
    certain (score 1, nothing decrypted); otherwise the match model decides, with a shared
    household number (job centre) as one piece of evidence among others. ``digests``: the
    identity's, if the caller has computed them already; ``gender``: from the survey."""
    digests = digests or protection.lookup(identity, gender=gender)
    stored = await IdentityStore(uow.session).candidates(
        digests.file_numbers, digests.names, protection.candidate_limit, exclude)
    found = []
    for candidate in stored:
        if candidate.certain:
            score: float | None = 1.0
        else:
            score = candidate_score(digests.key, Comparable.of_identity(
                protection.vault.open(candidate.case_id, candidate.wrapped_key,
                                      candidate.ciphertext), gender=candidate.gender))
        if score is not None:
            found.append(Candidate(candidate.case_id, score, candidate.registered_on))
    return sorted(found, key=lambda candidate: -candidate.score)
