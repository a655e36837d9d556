"""The keys that protect identities, bundled for the use cases that need them."""

from __future__ import annotations

from dataclasses import dataclass

from ankommen.intake.adapters.crypto import BlindIndex, IdentityVault
from ankommen.intake.config import IntakeSettings
from ankommen.intake.domain.identity import Identity
from ankommen.intake.domain.matching import PERSON_LEVEL_KINDS, Comparable, blocking_keys


@dataclass(frozen=True)
class IdentityDigests:
    """One identity's comparable record and its blind-index digests, computed once per
    request: the duplicate check looks them up and a new case stores them."""

    key: Comparable
    #: Blocking keys (names with parts of the birth date) and household file numbers: a
    #: shared one makes a candidate to be scored.
    names: frozenset[str]
    #: Person-level file numbers: a shared one makes the candidate certainly this person.
    file_numbers: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.names | self.file_numbers


@dataclass(frozen=True)
class IdentityProtection:
    vault: IdentityVault
    blind_index: BlindIndex
    candidate_limit: int = 50

    @classmethod
    def from_settings(cls, settings: IntakeSettings) -> IdentityProtection:
        return cls(IdentityVault(settings.current_master_key(), settings.retired_master_keys()),
                   BlindIndex(settings.blind_index_key.get_secret_value().encode()),
                   settings.duplicate_candidate_limit)

    def lookup(self, identity: Identity, *, gender: str | None = None) -> IdentityDigests:
        """``gender``: from the person's survey, where known (it is not part of the
        identity)."""
        key = Comparable.of_identity(identity, gender=gender)
        person_level = {f"file:{number.kind.value}:{number.normalised}"
                        for number in identity.file_numbers
                        if number.kind.value in PERSON_LEVEL_KINDS}
        household = {f"file:{number.kind.value}:{number.normalised}"
                     for number in identity.file_numbers
                     if number.kind.value not in PERSON_LEVEL_KINDS}
        return IdentityDigests(
            key, frozenset(self.blind_index.digests(blocking_keys(key) | household)),
            frozenset(self.blind_index.digests(person_level)))

    def digests(self, identity: Identity) -> set[str]:
        return set(self.lookup(identity).all)
