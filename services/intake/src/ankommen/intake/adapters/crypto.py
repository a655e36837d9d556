"""Envelope encryption of identities and keyed hashes for finding them again.

Each person's identity is encrypted with a data key of its own (AES-256-GCM); the data key is
stored only *wrapped* by the master key. Erasure destroys the wrapped data key, which makes
every copy of the ciphertext — backups included — unreadable (crypto-shredding). Rotating the
master key re-wraps the small data keys and never touches the identities.

Ciphertext formats (all binary, versioned so that a later format can be read beside this one)::

    wrapped data key  = b"v1" | master key id (8 bytes) | nonce (12) | AES-GCM(data key)
    identity          = b"v1" | nonce (12) | AES-GCM(identity JSON)
    alias             = b"v1" | nonce (12) | AES-GCM(alias JSON)

All bind the case id as associated data, so a ciphertext copied onto another case does not
decrypt; an alias binds its position too, so it cannot pass for the identity or another
alias. Aliases (earlier spellings of the person) are encrypted with the person's data key:
destroying it shreds them with the identity. The master key id is an HMAC of the key, not
the key: it says which key to use without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ankommen.intake.domain.identity import Alias, Identity

VERSION = b"v1"
NONCE_BYTES = 12
KEY_ID_BYTES = 8


class UndecryptableIdentity(Exception):
    """The data key is gone (erased), or the ciphertext or key does not belong to this case."""


def master_key_id(master_key: bytes) -> str:
    return hmac.new(master_key, b"ankommen.intake master key id", hashlib.sha256
                    ).digest()[:KEY_ID_BYTES].hex()


@dataclass(frozen=True)
class SealedIdentity:
    """What is stored for one person: the wrapped data key and the encrypted identity."""

    master_key_id: str
    wrapped_key: bytes
    ciphertext: bytes


class IdentityVault:
    """Seals and opens identities with per-person data keys under a rotatable master key."""

    def __init__(self, master_key: bytes, retired_keys: Sequence[bytes] = ()) -> None:
        self.current_key_id = master_key_id(master_key)
        self._masters = {master_key_id(key): AESGCM(key) for key in retired_keys}
        self._masters[self.current_key_id] = AESGCM(master_key)

    def seal(self, case_id: uuid.UUID, identity: Identity) -> SealedIdentity:
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = VERSION + nonce + AESGCM(data_key).encrypt(
            nonce, identity.model_dump_json().encode(), _identity_aad(case_id))
        return SealedIdentity(self.current_key_id, self.wrap(case_id, data_key), ciphertext)

    def reseal(self, case_id: uuid.UUID, wrapped_key: bytes, identity: Identity) -> bytes:
        """New ciphertext for a corrected identity, under the person's existing data key."""
        data_key = self.unwrap(case_id, wrapped_key)
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + AESGCM(data_key).encrypt(
            nonce, identity.model_dump_json().encode(), _identity_aad(case_id))

    def open(self, case_id: uuid.UUID, wrapped_key: bytes | None, ciphertext: bytes) -> Identity:
        return Identity.model_validate_json(
            self._decrypt(case_id, wrapped_key, ciphertext, _identity_aad(case_id)))

    def seal_alias(self, case_id: uuid.UUID, wrapped_key: bytes, position: int,
                   alias: Alias) -> bytes:
        """An earlier spelling of the person, under the person's existing data key."""
        data_key = self.unwrap(case_id, wrapped_key)
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + AESGCM(data_key).encrypt(
            nonce, alias.model_dump_json().encode(), _alias_aad(case_id, position))

    def open_alias(self, case_id: uuid.UUID, wrapped_key: bytes | None, position: int,
                   ciphertext: bytes) -> Alias:
        return Alias.model_validate_json(
            self._decrypt(case_id, wrapped_key, ciphertext, _alias_aad(case_id, position)))

    def _decrypt(self, case_id: uuid.UUID, wrapped_key: bytes | None, ciphertext: bytes,
                 aad: bytes) -> bytes:
        if wrapped_key is None:
            raise UndecryptableIdentity("the data key was destroyed")
        data_key = self.unwrap(case_id, wrapped_key)
        if not ciphertext.startswith(VERSION):
            raise UndecryptableIdentity("unknown ciphertext version")
        nonce = ciphertext[len(VERSION):len(VERSION) + NONCE_BYTES]
        try:
            return AESGCM(data_key).decrypt(nonce, ciphertext[len(VERSION) + NONCE_BYTES:], aad)
        except InvalidTag:
            raise UndecryptableIdentity("the identity does not decrypt") from None

    def wrap(self, case_id: uuid.UUID, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return (VERSION + bytes.fromhex(self.current_key_id) + nonce
                + self._masters[self.current_key_id].encrypt(nonce, data_key,
                                                             _key_aad(case_id)))

    def unwrap(self, case_id: uuid.UUID, wrapped_key: bytes) -> bytes:
        if not wrapped_key.startswith(VERSION):
            raise UndecryptableIdentity("unknown wrapped-key version")
        start = len(VERSION)
        key_id = wrapped_key[start:start + KEY_ID_BYTES].hex()
        master = self._masters.get(key_id)
        if master is None:
            raise UndecryptableIdentity(f"master key {key_id} is not configured")
        nonce = wrapped_key[start + KEY_ID_BYTES:start + KEY_ID_BYTES + NONCE_BYTES]
        try:
            return master.decrypt(nonce, wrapped_key[start + KEY_ID_BYTES + NONCE_BYTES:],
                                  _key_aad(case_id))
        except InvalidTag:
            raise UndecryptableIdentity("the data key does not unwrap") from None

    def rewrap(self, case_id: uuid.UUID, wrapped_key: bytes) -> bytes:
        """The same data key, wrapped by the current master key."""
        return self.wrap(case_id, self.unwrap(case_id, wrapped_key))


def _identity_aad(case_id: uuid.UUID) -> bytes:
    return b"ankommen.intake identity:" + case_id.bytes


def _alias_aad(case_id: uuid.UUID, position: int) -> bytes:
    return b"ankommen.intake alias:" + case_id.bytes + position.to_bytes(4, "big")


def _key_aad(case_id: uuid.UUID) -> bytes:
    return b"ankommen.intake data key:" + case_id.bytes


class BlindIndex:
    """HMAC-SHA256 of index terms under a key of its own: equal terms give equal digests,
    and without the key a digest reveals nothing and cannot be recomputed from a guess."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def digest(self, term: str) -> str:
        # The one-shot form runs in OpenSSL without building an HMAC object per term.
        return hmac.digest(self._key, term.encode(), "sha256").hex()

    def digests(self, terms: set[str]) -> set[str]:
        return {self.digest(term) for term in terms}
