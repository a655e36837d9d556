"""Finding the existing cases a person may already have: blind-index candidates, decrypted
and scored by the match model (see :mod:`ankommen.intake.domain.match_model`) — each
candidate's identity and each of its aliases, the best counting."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from ankommen.intake.adapters.identity_store import StoredAlias
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.duplicates import Candidate
from ankommen.intake.domain.identity import Identity
from ankommen.intake.domain.match_model import MODEL, MatchModel, probability
from ankommen.intake.domain.matching import Comparable
from ankommen.intake.service.aliases import open_aliases
from ankommen.intake.service.protection import IdentityDigests, IdentityProtection


def candidate_score(record: Comparable, candidate: Comparable,
                    model: MatchModel = MODEL) -> float | None:
    """The probability that ``candidate`` is the person of ``record``, or None below the
    model's warn threshold. A function of the two records alone, so that further records of
    one person (e.g. aliases) can be scored as candidates of their own."""
    weight = model.weight(record, candidate)
    return probability(weight) if model.is_possible_duplicate(weight) else None


def best_score(record: Comparable, spellings: Iterable[Comparable],
               model: MatchModel = MODEL) -> float | None:
    """The best score of ``record`` against any spelling of one case — its identity and
    each of its aliases (:mod:`.aliases`) — or None if none reaches the warn threshold."""
    scores = [score for spelling in spellings
              if (score := candidate_score(record, spelling, model)) is not None]
    return max(scores, default=None)


async def likely_duplicates(uow: IntakeUnitOfWork, protection: IdentityProtection,
                            identity: Identity, *, gender: str | None = None,
                            exclude: uuid.UUID | None = None,
                            digests: IdentityDigests | None = None,
                            before_writes: bool = False) -> list[Candidate]:
    """Existing cases that are likely this person, the likeliest first. An equal
    person-level file number (federal office, foreigners' office, central register) is
    certain (score 1, nothing decrypted); otherwise the match model decides, with a shared
    household number (job centre) as one piece of evidence among others. ``digests``: the
    identity's, if the caller has computed them already; ``gender``: from the survey.
    ``before_writes``: the unit has written nothing yet, so the queries may go to
    ``uow.identity_reads`` (on SQLite one hand-off each instead of four or five)."""
    digests = digests or protection.lookup(identity, gender=gender)
    store = uow.identity_reads if before_writes else uow.identities
    stored = await store.candidates(
        digests.file_numbers, digests.names, protection.candidate_limit, exclude)
    scored = [candidate.case_id for candidate in stored if not candidate.certain]
    aliases: dict[uuid.UUID, list[StoredAlias]] = {}
    for alias in await store.aliases(scored) if scored else ():
        aliases.setdefault(alias.case_id, []).append(alias)
    found: list[Candidate] = []
    for candidate in stored:
        if candidate.certain:
            score: float | None = 1.0
        else:
            spellings = [protection.vault.open(candidate.case_id, candidate.wrapped_key,
                                               candidate.ciphertext)]
            spellings += [kept.alias.as_identity() for kept in open_aliases(
                protection, candidate.wrapped_key, aliases.get(candidate.case_id, ()))]
            score = best_score(digests.key, [Comparable.of_identity(
                spelling, gender=candidate.gender) for spelling in spellings])
        if score is not None:
            found.append(Candidate(candidate.case_id, score, candidate.registered_on))
    return sorted(found, key=lambda candidate: -candidate.score)
