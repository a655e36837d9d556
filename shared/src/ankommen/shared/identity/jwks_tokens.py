"""API access for provider systems: access tokens from the county's identity provider
(OAuth 2.0 client credentials, issue 20 item 3).

A provider's own system (its course administration) obtains a token from the identity
provider with its client id and secret; the provider id is bound to that client there and
arrives as a claim (``provider_id`` by default) in a JWT access token whose audience is ours.
The services verify such tokens with the provider's published keys (JWKS, from its discovery
document): signature, issuer, audience and expiry; a key id not seen yet makes them fetch the
keys again (rotation), at most once a minute so that tokens with made-up key ids cannot make
a service hammer the provider.

Such a token is always a *provider* principal: staff sign in to the pages
(:mod:`ankommen.shared.web.oidc`), and no other role is given to a machine client.

Token relay: a provider's *person*, signed in to progress's pages through the identity
provider, has an access token for the same audience, which progress forwards when it asks
intake for the names of consenting participants. It is verified here the same way and is the
same provider principal as the person's session (subject: the token's ``sub``). A token that
carries the role claim (``groups``) must map to the provider role alone: a coordinator's token
that happened to carry a provider id is refused, not turned into a provider.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from ankommen.shared.identity.auth import InvalidToken, Principal, Role, claim_strings

#: Asymmetric algorithms only: a JWKS never holds a secret we would share.
ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
#: The least time between two fetches of the keys for an unknown key id.
REFETCH_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class ClientTokenSettings:
    issuer: str
    audience: str = "ankommen"
    provider_id_claim: str = "provider_id"
    #: The claim with a person's groups and which group is which role (the pages' mapping);
    #: a token carrying the claim is admitted only if it maps to the provider role alone.
    role_claim: str = "groups"
    roles: tuple[tuple[str, Role], ...] = ()


class JwksTokenVerifier:
    """Checks the identity provider's access tokens for provider systems."""

    def __init__(self, settings: ClientTokenSettings) -> None:
        self._settings = settings
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def issued_it(self, unverified_issuer: object) -> bool:
        """Whether a token naming ``unverified_issuer`` is this verifier's to check."""
        return unverified_issuer == self._settings.issuer

    def _fetch(self) -> KeySet:
        issuer = self._settings.issuer.rstrip("/")
        with httpx.Client(timeout=10) as client:
            metadata = client.get(f"{issuer}/.well-known/openid-configuration")
            metadata.raise_for_status()
            jwks_uri = metadata.json()["jwks_uri"]
            keys = client.get(jwks_uri)
            keys.raise_for_status()
            return KeySet.import_key_set(keys.json())

    def _key_set(self, *, unknown_key: bool) -> KeySet:
        with self._lock:
            stale = unknown_key and time.monotonic() - self._fetched_at >= \
                REFETCH_INTERVAL_SECONDS
            if self._keys is None or stale:
                try:
                    self._keys = self._fetch()
                except (httpx.HTTPError, KeyError, ValueError, JoseError):
                    if self._keys is None:
                        raise InvalidToken("the identity provider's keys are not available"
                                           ) from None
                self._fetched_at = time.monotonic()
            return self._keys

    def verify(self, token: str) -> Principal:
        """Blocking: may fetch the keys (first use, unknown key id)."""
        try:
            try:
                decoded = self._decode(token, self._key_set(unknown_key=False))
            except InvalidKeyIdError:
                decoded = self._decode(token, self._key_set(unknown_key=True))
        except (JoseError, ValueError) as error:
            raise InvalidToken(f"the token is not valid ({type(error).__name__})") from None
        return self._principal(decoded.claims)

    async def verify_async(self, token: str) -> Principal:
        """:meth:`verify` for the event loop: with the keys at hand (every token but the first
        and those of a new key) all of it runs right here; a fetch of the keys runs in a
        thread, so a slow identity provider holds up the token that needs it, not every
        request of the service."""
        try:
            try:
                keys = self._keys
                if keys is None:
                    keys = await asyncio.to_thread(self._key_set, unknown_key=False)
                decoded = self._decode(token, keys)
            except InvalidKeyIdError:
                keys = await asyncio.to_thread(self._key_set, unknown_key=True)
                decoded = self._decode(token, keys)
        except (JoseError, ValueError) as error:
            raise InvalidToken(f"the token is not valid ({type(error).__name__})") from None
        return self._principal(decoded.claims)

    def _decode(self, token: str, keys: KeySet) -> jwt.Token:
        """The token checked against ``keys``: signature, issuer, audience, expiry."""
        decoded = jwt.decode(token, keys, registry=JWSRegistry(algorithms=ALGORITHMS))
        jwt.JWTClaimsRegistry(
            leeway=30,
            iss={"essential": True, "value": self._settings.issuer},
            aud={"essential": True, "value": self._settings.audience},
            exp={"essential": True}).validate(decoded.claims)
        return decoded

    def _principal(self, claims: dict[str, Any]) -> Principal:
        provider_id = claims.get(self._settings.provider_id_claim)
        subject = claims.get("sub") or claims.get("client_id")
        if not isinstance(provider_id, str) or not provider_id or not isinstance(subject, str):
            raise InvalidToken("the token is not bound to a provider")
        if self._settings.role_claim in claims and self._roles(claims) != {Role.PROVIDER}:
            raise InvalidToken("the token's groups are not a provider's")
        return Principal(subject=subject, role=Role.PROVIDER, provider_id=provider_id)

    def _roles(self, claims: dict[str, Any]) -> set[Role]:
        mapping = dict(self._settings.roles)
        return {mapping[value] for value in claim_strings(claims.get(self._settings.role_claim))
                if value in mapping}
