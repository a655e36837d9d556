"""Authentication and role checks for every API: bearer tokens (JWT) signed by one issuer.

Tokens carry a role and, for course providers, the provider id that scopes them to their own
courses. One issuer signs them — the operator command ``ankommen token`` — with its Ed25519
private key (JWS ``EdDSA``); the services hold only the issuer's public keys, so they can check
a token but cannot make one: a compromised service container mints no intake token. (A shared
HS256 secret, as before, let every service do both.) Any other algorithm — HS256, ``none`` — is
refused, whatever key it names.

Each token names its key in the ``kid`` header (the key's RFC 7638 thumbprint, see
:mod:`ankommen.shared.token_keys`). A service trusts several public keys at once, which makes a
key rotation safe: roll the new public key out to every service, switch the issuer to the new
private key, and retire the old public key once its last tokens have expired.

Verification lives in :class:`TokenVerifier` alone; the pages' sign-in stores the token it was
given in a cookie and verifies it on every request, so no service issues tokens of its own.
Provider systems may instead bring an access token of the county's identity provider (OAuth
client credentials, verified against its JWKS: :mod:`ankommen.shared.jwks_tokens`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Protocol, cast

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ankommen.shared.token_keys import key_id

ISSUER = "ankommen"
AUDIENCE = "ankommen"
#: The only signature algorithm accepted: Ed25519 signatures (JWS "EdDSA", RFC 8037).
ALGORITHM = "EdDSA"


class Role(StrEnum):
    """Who is calling (brief section 2)."""

    #: Foreigners' office, integration office, migration counselling: records arrivals.
    INTAKE_STAFF = "intake_staff"
    #: The county's education coordination: catalogue, allocation, waiting lists.
    COORDINATOR = "coordinator"
    #: A course provider, scoped by ``provider_id`` to its own courses.
    PROVIDER = "provider"
    #: Council, planning: anonymised statistics only.
    MONITORING_VIEWER = "monitoring_viewer"
    #: IT operations: keys, audit read-out, everything operational.
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    provider_id: str | None = None
    #: Who signed in through the county's identity provider: the provider's issuer (whose
    #: ``sub`` ``subject`` then is) and the person's name from its ``name`` or
    #: ``preferred_username`` claim — both for the audit log, never for URLs or logs. A token
    #: of ``ankommen token`` carries neither (its subject is all there is).
    issuer: str | None = None
    display_name: str | None = None


class InvalidToken(ValueError):
    """The token is malformed, expired, or not signed by a key the service trusts."""


class TokenIssuer:
    """Signs tokens with the issuer's private key: ``ankommen token`` (and the demo and tests,
    with keys of their own). No service builds one."""

    def __init__(self, signing_key: Ed25519PrivateKey) -> None:
        self._key = signing_key
        #: What the services are given to verify this issuer's tokens.
        self.public_key = signing_key.public_key()
        self.key_id = key_id(self.public_key)

    def issue(self, role: Role, subject: str, *, provider_id: str | None = None,
              valid_for: timedelta = timedelta(hours=12)) -> str:
        if role is Role.PROVIDER and not provider_id:
            raise ValueError("a provider token needs a provider id")
        now = datetime.now(UTC)
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "role": role.value,
                  "iat": now, "exp": now + valid_for}
        if provider_id:
            claims["provider_id"] = provider_id
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.key_id})


class TokenVerifier:
    """Checks tokens against the issuer's public keys, chosen by the token's ``kid``."""

    def __init__(self, public_keys: Iterable[Ed25519PublicKey]) -> None:
        self._keys = {key_id(key): key for key in public_keys}
        if not self._keys:
            raise ValueError("a token verifier needs at least one public key")

    @property
    def key_ids(self) -> list[str]:
        """The ids of the trusted keys: the log names them, so a rotation can be checked."""
        return sorted(self._keys)

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise InvalidToken("the token is not valid") from None
        # Checked before any key is chosen: PyJWT would refuse them too, but a token must
        # never get as far as a key with an algorithm the issuer does not use.
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"the token is not signed with {ALGORITHM} by the issuer")
        kid = header.get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("the token is signed with a key this service does not trust")
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=AUDIENCE,
                                issuer=ISSUER, options={"require": ["exp", "sub", "role"]})
            return Principal(subject=claims["sub"], role=Role(claims["role"]),
                             provider_id=claims.get("provider_id"))
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except (jwt.InvalidTokenError, ValueError, KeyError, TypeError):
            raise InvalidToken("the token is not valid") from None


_bearer = HTTPBearer(auto_error=False, description="A token from `ankommen token ROLE`.")


class ExternalVerifier(Protocol):
    """Tokens of another issuer: the county's identity provider (``jwks_tokens``)."""

    def issued_it(self, unverified_issuer: object) -> bool: ...

    def verify(self, token: str) -> Principal: ...

    async def verify_async(self, token: str) -> Principal:
        """``verify`` for the event loop: whatever may block (fetching keys) off it."""
        ...


class Authenticator:
    """FastAPI dependencies that authenticate the caller and check the role.

    Tokens of ``ankommen token`` are checked by ``verifier``; with ``external`` (the identity
    provider's client-credentials tokens for provider systems, issue 20) a token naming that
    issuer goes there instead. The issuer is read unverified only to choose the verifier;
    each verifier checks it again with the signature."""

    def __init__(self, verifier: TokenVerifier, external: ExternalVerifier | None = None
                 ) -> None:
        self._verifier = verifier
        self._external = external

    def _external_for(self, token: str) -> ExternalVerifier | None:
        """The external verifier if ``token`` names its issuer, else ``None`` (ours)."""
        if self._external is None:
            return None
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.InvalidTokenError:
            raise InvalidToken("the token is not valid") from None
        return self._external if self._external.issued_it(issuer) else None

    def verify(self, token: str) -> Principal:
        """Blocking: an external token may make its verifier fetch keys. Off the event loop
        only (the CLI, tests); request handlers await :meth:`verify_async`."""
        external = self._external_for(token)
        return external.verify(token) if external else self._verifier.verify(token)

    async def verify_async(self, token: str) -> Principal:
        """:meth:`verify` on the event loop, without a thread hop per request: checking an
        Ed25519 signature takes tens of microseconds, so ours are checked right here; only an
        external verifier's key fetch (an unknown key id) runs in a thread."""
        external = self._external_for(token)
        if external is not None:
            return await external.verify_async(token)
        return self._verifier.verify(token)

    async def principal(self, credentials: HTTPAuthorizationCredentials | None) -> Principal:
        if credentials is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                                "authorization: a bearer token is required",
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            return await self.verify_async(credentials.credentials)
        except InvalidToken as error:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"authorization: {error}",
                                headers={"WWW-Authenticate": "Bearer"}) from None

    # Any, as FastAPI's Depends(): a parameter's default or Annotated's metadata.
    def require(self, *roles: Role) -> Any:
        """A dependency admitting callers with one of ``roles``. It is ``async`` on purpose:
        FastAPI runs a plain function dependency in its thread pool, a thread hop on every
        request for what is microseconds of work."""

        async def dependency(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                                    Depends(_bearer)]) -> Principal:
            return _admitted(await self.principal(credentials), roles)

        return Depends(dependency)


def _admitted(principal: Principal, roles: Iterable[Role]) -> Principal:
    if principal.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"authorization: role {principal.role.value} may not do this")
    return principal


# Any, as FastAPI's Depends(): a parameter's default or Annotated's metadata.
def require_role(*roles: Role) -> Any:
    """:meth:`Authenticator.require` for routes defined at module level, before any service is
    built: the authenticator is that of the service serving the request (its runtime's
    ``auth``, kept in ``app.state``). Same bearer scheme, same answers (401, 403)."""

    async def dependency(request: Request, credentials: Annotated[
            HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
        authenticator: Authenticator = request.app.state.runtime.auth
        return _admitted(await authenticator.principal(credentials), roles)

    return Depends(dependency)


def claim_strings(value: object) -> list[str]:
    """The strings of a claim that may hold one or a list (``groups``): other values count
    for nothing."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        # A claim is decoded JSON: its items are unknown until checked.
        return [item for item in cast(list[object], value) if isinstance(item, str)]
    return []
