"""Aliases (issue 17 item 5) without a database: a candidate is scored against its identity
and each alias, the best counting, with the one scoring function of two records; an alias
is sealed under the case's data key and opens only as what it was sealed as."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ankommen.intake.adapters.crypto import IdentityVault, UndecryptableIdentity
from ankommen.intake.domain.identity import Alias, Identity
from ankommen.intake.domain.matching import Comparable
from ankommen.intake.service.duplicate_check import best_score, candidate_score

BORN = date(1994, 6, 17)
OLD_SPELLING = Comparable.of("Ahmadi", "Zahra", BORN, gender="female")
NEW_SPELLING = Comparable.of("Karimi", "Leyla", BORN, gender="female")
PROBE = Comparable.of("Ahmady", "Sahra", BORN, gender="female")


def test_candidate_is_scored_by_its_best_spelling():
    assert candidate_score(PROBE, NEW_SPELLING) is None, "the identity alone does not match"
    best = best_score(PROBE, [NEW_SPELLING, OLD_SPELLING])
    assert best is not None and best == candidate_score(PROBE, OLD_SPELLING)
    assert best_score(PROBE, [NEW_SPELLING]) is None
    assert best_score(PROBE, []) is None


def test_best_score_does_not_depend_on_the_order_of_spellings():
    spellings = [OLD_SPELLING, NEW_SPELLING, Comparable.of("Ahmadi", "Zahra", BORN)]
    assert best_score(PROBE, spellings) == best_score(PROBE, spellings[::-1])


def test_alias_opens_only_for_its_case_and_position_with_the_cases_key():
    vault = IdentityVault(b"m" * 32)
    case_id = uuid.uuid4()
    identity = Identity(family_name="Karimi", given_names="Leyla", birth_date=BORN)
    sealed = vault.seal(case_id, identity)
    alias = Alias.of(identity.model_copy(update={"family_name": "Ahmadi",
                                                 "given_names": "Zahra"}))
    ciphertext = vault.seal_alias(case_id, sealed.wrapped_key, 1, alias)
    assert b"Ahmadi" not in ciphertext
    assert vault.open_alias(case_id, sealed.wrapped_key, 1, ciphertext) == alias
    for attempt in (lambda: vault.open_alias(case_id, sealed.wrapped_key, 2, ciphertext),
                    lambda: vault.open_alias(uuid.uuid4(), sealed.wrapped_key, 1, ciphertext),
                    lambda: vault.open(case_id, sealed.wrapped_key, ciphertext),
                    lambda: vault.open_alias(case_id, None, 1, ciphertext)):
        with pytest.raises(UndecryptableIdentity):
            attempt()


def test_alias_keeps_no_contact_details():
    identity = Identity(family_name="Karimi", given_names="Leyla", birth_date=BORN,
                        phone="+49 170 1234567", email="leyla@example.org")
    kept = Alias.of(identity).as_identity()
    assert kept.phone is None and kept.email is None and kept.family_name == "Karimi"
