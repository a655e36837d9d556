"""Forms kept across a sign-in (issue 20): what a clerk entered is not lost when their session
has ended by the time they send it, nor when a sensitive action first sends them through the
identity provider again.

The posted fields are kept here, in the service's memory, and the browser gets only a random
id (256 bits) in an HttpOnly cookie; after sign-in the page that owns the form takes them back
once and shows them filled in — never sent on automatically, the clerk confirms.

Why memory, encrypted, and short-lived: the fields are a refugee's personal data (names,
birth date, answers). Memory only means nothing reaches a disk, a database backup or a log;
a restart loses them, which costs the clerk retyping, not a leak. Each form is encrypted
(AES-GCM) with a key derived from the cookie's id, and stored under the id's SHA-256 digest:
a memory dump without the browser's cookie reads nothing. A form lives ``lifetime`` (15
minutes by default) by the service's injected clock, is handed back only to a request for the
same path, only once; at most ``max_forms`` are kept (the oldest goes first), each at most
``max_bytes`` (a form larger than any of intake's is not kept), so that a flood of posts —
anyone can fetch a CSRF token from the sign-in page — cannot exhaust the memory. No field ever
travels in a URL.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ankommen.shared.clock import Clock

#: What a kept form holds: field → value, or values for ``name[]`` fields.
FormFields = dict[str, str | list[str]]

KEPT_FORM_COOKIE = "ankommen_kept_form"


def _key_of(form_id: str) -> tuple[str, bytes]:
    """Where a form is stored (the digest) and the key it is encrypted with."""
    digest = hashlib.sha256(b"ankommen-kept-form-index\0" + form_id.encode()).hexdigest()
    key = hashlib.sha256(b"ankommen-kept-form-key\0" + form_id.encode()).digest()
    return digest, key


class KeptForms:
    """Posted forms waiting for their author's sign-in."""

    def __init__(self, clock: Clock, *, lifetime: timedelta = timedelta(minutes=15),
                 max_forms: int = 1000, max_bytes: int = 32 * 1024) -> None:
        self._clock = clock
        self.lifetime = lifetime
        self._max = max_forms
        self._max_bytes = max_bytes
        #: digest → (expires at, path, nonce, ciphertext)
        self._forms: dict[str, tuple[datetime, str, bytes, bytes]] = {}

    def keep(self, path: str, fields: FormFields) -> str | None:
        """Keep ``fields`` posted to ``path``; the returned id is what the cookie carries
        (``None``: too large to keep)."""
        plain = json.dumps(fields).encode()
        if len(plain) > self._max_bytes:
            return None
        now = self._clock.now()
        self._forms = {key: entry for key, entry in self._forms.items() if entry[0] > now}
        while len(self._forms) >= self._max:
            del self._forms[next(iter(self._forms))]  # the oldest (dicts keep their order)
        form_id = secrets.token_urlsafe(32)
        digest, key = _key_of(form_id)
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(key).encrypt(nonce, plain, path.encode())
        self._forms[digest] = (now + self.lifetime, path, nonce, sealed)
        return form_id

    def take(self, form_id: str, path: str) -> FormFields | None:
        """The fields kept under ``form_id`` for ``path``, once; ``None`` when there are none,
        they expired or belong to another page (then they stay for that page)."""
        digest, key = _key_of(form_id)
        entry = self._forms.get(digest)
        if entry is None or entry[1] != path:
            return None
        del self._forms[digest]
        expires_at, _, nonce, sealed = entry
        if expires_at <= self._clock.now():
            return None
        try:
            fields: object = json.loads(AESGCM(key).decrypt(nonce, sealed, path.encode()))
        except (InvalidTag, ValueError):
            return None
        # Authenticated encryption: what decrypts is what keep() sealed, FormFields.
        return cast(FormFields, fields) if isinstance(fields, dict) else None

    def __len__(self) -> int:
        return len(self._forms)
