"""The keys that protect identities, bundled for the use cases that need them."""

from __future__ import annotations

from dataclasses import dataclass

from ankommen.intake.adapters.crypto import BlindIndex, IdentityVault
from ankommen.intake.config import IntakeSettings
from ankommen.intake.domain.identity import Identity
from ankommen.intake.domain.matching import NameKey, index_terms


@dataclass(frozen=True)
class IdentityDigests:
    """One identity's comparable name key and its blind-index digests, computed once per
    request: the duplicate check looks them up and a new case stores them."""

    key: NameKey
    names: frozenset[str]
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

    def lookup(self, identity: Identity) -> IdentityDigests:
        key = NameKey.of_identity(identity)
        return IdentityDigests(
            key, frozenset(self.blind_index.digests(index_terms(key))),
            frozenset(self.blind_index.digests({f"file:{number.kind.value}:{number.normalised}"
                                                for number in identity.file_numbers})))

    def digests(self, identity: Identity) -> set[str]:
        return set(self.lookup(identity).all)
