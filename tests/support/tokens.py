"""The tests' token issuer: a key pair made for each test process, never one in the repository.

:func:`trust_in_this_process` puts its public key (and, for ``ankommen token``, its private
key) into the environment, so every service a test starts — in process, or as a process that
inherits the environment — verifies the tokens :data:`ISSUER` signs. The root conftest does
that before any test runs; the benchmarks do it on import.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import jwt

from ankommen.shared.identity.auth import ALGORITHM, Role, TokenIssuer
from ankommen.shared.identity.token_keys import generate_signing_key, private_pem, public_pem

#: The development secret all services once shared (HS256), readable in the repository's
#: history: the first thing an attacker would sign a token with.
RETIRED_SHARED_SECRET = "development-only-token-secret-change-me-0123456789"

_SIGNING_KEY = generate_signing_key()
ISSUER = TokenIssuer(_SIGNING_KEY)
PUBLIC_KEY_PEM = public_pem(_SIGNING_KEY.public_key())


def trust_in_this_process() -> None:
    os.environ["ANKOMMEN_TOKEN_PUBLIC_KEY"] = PUBLIC_KEY_PEM
    os.environ["ANKOMMEN_TOKEN_SIGNING_KEY"] = private_pem(_SIGNING_KEY)


def issue_token(role: Role, subject: str = "test", *, provider_id: str | None = None) -> str:
    return ISSUER.issue(role, subject, provider_id=provider_id)


def _claims(role: Role, provider_id: str | None) -> dict[str, object]:
    now = datetime.now(UTC)
    claims = {"iss": "ankommen", "aud": "ankommen", "sub": "forger", "role": role.value,
              "iat": now, "exp": now + timedelta(hours=1), "provider_id": provider_id}
    return {key: value for key, value in claims.items() if value is not None}


def forged_token(role: Role, *, provider_id: str | None = None) -> str:
    """A token as an attacker without the issuer's key would make it: every claim right and
    the trusted key's ``kid`` in the header, but signed with a key of the attacker's own."""
    return jwt.encode(_claims(role, provider_id), generate_signing_key(), algorithm=ALGORITHM,
                      headers={"kid": ISSUER.key_id})


def retired_secret_token(role: Role, *, provider_id: str | None = None) -> str:
    """A token signed as all tokens were before: HS256 with the shared development secret,
    naming the trusted key's ``kid``."""
    return jwt.encode(_claims(role, provider_id), RETIRED_SHARED_SECRET, algorithm="HS256",
                      headers={"kid": ISSUER.key_id})


def bearer(role: Role, provider_id: str | None = None, subject: str = "test"
           ) -> dict[str, str]:
    """The ``Authorization`` header of a token for ``role``."""
    return {"Authorization": "Bearer " + issue_token(role, subject, provider_id=provider_id)}
