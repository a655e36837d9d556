"""Signing staff in through the county's identity provider (OpenID Connect, issue 20).

The authorisation code flow with PKCE (S256), ``state`` and ``nonce``, built from Authlib's
pieces: its RFC 6749/7636 helpers make the authorisation request, its ``CodeIDToken`` checks
the ID token's claims (issuer, audience, expiry, nonce, ``azp``, ``at_hash``), and joserfc (the
JOSE library Authlib itself uses) checks the signature against the provider's published keys
(JWKS); the code is exchanged with one httpx POST (client_secret_basic). Authlib's Starlette
integration is not used because it keeps the flow's secrets in a cookie-backed
``request.session``; here they stay server-side with the pending sign-in (see
:mod:`ankommen.shared.web.sessions`); its httpx client is deprecated in Authlib 1.9.

Key rotation: the JWKS is fetched once and again whenever an ID token names a key it does not
hold, so a provider that starts signing with a new key interrupts nobody.

Which role a person has is not the provider's word but a setting: a claim (``groups`` by
default) whose values are mapped to roles (:class:`ClaimMapping`); a person in no mapped group
is refused (a German page, not an error).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, cast
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2 import rfc7636
from authlib.oauth2.rfc6749 import parameters as rfc6749
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.errors import JoseError as JoseRfcError
from joserfc.jwk import KeySet, KeySetSerialization
from joserfc.jws import JWSRegistry

from ankommen.shared.identity.auth import Principal, Role, claim_strings

#: Signature algorithms accepted for ID tokens unless the provider names others.
DEFAULT_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")


class _PrepareGrantUri(Protocol):
    def __call__(self, uri: str, client_id: str, response_type: str,
                 redirect_uri: str | None = None, scope: str | None = None,
                 state: str | None = None, **kwargs: object) -> str: ...


# Authlib has no type hints: its two RFC helpers, typed as they are documented.
prepare_grant_uri = cast(_PrepareGrantUri,
                         rfc6749.prepare_grant_uri)  # pyright: ignore[reportUnknownMemberType]
create_s256_code_challenge = cast(
    Callable[[str], str],
    rfc7636.create_s256_code_challenge)  # pyright: ignore[reportUnknownMemberType]


class SignInFailed(ValueError):
    """The identity provider's answer cannot be trusted (state, code, ID token)."""


class UnknownGroup(SignInFailed):
    """The person is signed in at the provider but in no group mapped to one of our roles."""


@dataclass(frozen=True)
class ClaimMapping:
    """From the provider's claims to a :class:`Principal` (settings, per county)."""

    #: provider group (value of ``role_claim``) → our role
    roles: dict[str, Role]
    role_claim: str = "groups"
    provider_id_claim: str = "provider_id"

    def principal(self, claims: dict[str, Any]) -> Principal:
        roles = {self.roles[value] for value in claim_strings(claims.get(self.role_claim))
                 if value in self.roles}
        if len(roles) != 1:
            # None, or several: guessing which one the person means would be a privilege
            # decision the county did not make.
            raise UnknownGroup("no single role is mapped from the person's groups")
        role = roles.pop()
        provider_id = claims.get(self.provider_id_claim)
        if role is Role.PROVIDER and (not isinstance(provider_id, str)
                                      or not provider_id.strip()):
            raise UnknownGroup("a provider's account carries no provider id")
        return Principal(subject=str(claims["sub"]), role=role,
                         provider_id=provider_id if role is Role.PROVIDER else None,
                         issuer=str(claims["iss"]) if claims.get("iss") else None,
                         display_name=display_name(claims))


def display_name(claims: dict[str, Any]) -> str | None:
    """The person's name as the provider gives it (``name``, else ``preferred_username``),
    bounded to what the audit log keeps."""
    for claim in ("name", "preferred_username"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return None


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    mapping: ClaimMapping
    scope: str = "openid profile ankommen"


@dataclass(frozen=True)
class PendingSignIn:
    """What the callback must find again: kept server-side, keyed by ``state``."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_path: str
    #: Re-authentication (``prompt=login`` with this ``max_age`` in seconds): the action it is
    #: for and whose session asked for it; the callback accepts only that person, freshly.
    max_age: int | None = None
    reauth_action: str | None = None
    reauth_subject: str | None = None


class NotFreshlyAuthenticated(SignInFailed):
    """A re-authentication whose ID token does not show a password entered just now."""


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    #: The provider's name for the person (for the audit log; never shown in URLs or logs).
    name: str | None
    #: The person's access token, kept in the session for relaying to our other services.
    access_token: str | None = field(default=None, repr=False)
    #: How long before the ID token was issued the person last entered their password at the
    #: provider (``iat - auth_time``, both the provider's clock), if it says.
    authenticated_ago: timedelta | None = None


@dataclass
class OidcClient:
    """One service's pages as a client of the identity provider."""

    config: OidcConfig
    _metadata: dict[str, Any] | None = field(default=None, repr=False)
    _jwks: KeySetSerialization | None = field(default=None, repr=False)

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.get(url)
                response.raise_for_status()
                metadata: dict[str, Any] = response.json()
            if metadata.get("issuer") != self.config.issuer:
                raise SignInFailed("the provider's discovery document names another issuer")
            self._metadata = metadata
        return self._metadata

    async def _key_set(self, *, refresh: bool) -> KeySet:
        if self._jwks is None or refresh:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.get((await self.metadata())["jwks_uri"])
                response.raise_for_status()
                jwks: KeySetSerialization = response.json()
                self._jwks = jwks
        return KeySet.import_key_set(self._jwks)

    async def start(self, redirect_uri: str, next_path: str, *,
                    reauth: tuple[str, str, int] | None = None) -> tuple[str, PendingSignIn]:
        """The provider's authorisation URL and what to keep until the callback.

        ``reauth`` — (action, subject of the session, max_age in seconds) — asks the provider
        for the password again (``prompt=login``) and for ``auth_time`` (``max_age``)."""
        metadata = await self.metadata()
        action, subject, max_age = reauth if reauth else (None, None, None)
        pending = PendingSignIn(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                                code_verifier=generate_token(64), redirect_uri=redirect_uri,
                                next_path=next_path, max_age=max_age, reauth_action=action,
                                reauth_subject=subject)
        extra: dict[str, Any] = {"prompt": "login", "max_age": max_age} if reauth else {}
        url = prepare_grant_uri(
            metadata["authorization_endpoint"], self.config.client_id, "code",
            redirect_uri=redirect_uri, scope=self.config.scope, state=pending.state,
            nonce=pending.nonce, code_challenge=create_s256_code_challenge(pending.code_verifier),
            code_challenge_method="S256", **extra)
        return url, pending

    async def finish(self, pending: PendingSignIn, code: str, *, iss: str | None = None
                     ) -> SignedIn:
        """Exchange the code, verify the ID token, map its claims to a principal."""
        metadata = await self.metadata()
        if iss is not None and iss != self.config.issuer:
            raise SignInFailed("the answer names another issuer (mix-up)")
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.post(
                    metadata["token_endpoint"],
                    auth=(self.config.client_id, self.config.client_secret),
                    data={"grant_type": "authorization_code", "code": code,
                          "code_verifier": pending.code_verifier,
                          "redirect_uri": pending.redirect_uri})
                response.raise_for_status()
                answer: object = response.json()
            if not isinstance(answer, dict):
                raise ValueError("the token response is not an object")
        except (httpx.HTTPError, ValueError) as error:
            raise SignInFailed(f"the code was not accepted: {type(error).__name__}") from None
        token = cast(dict[str, object], answer)  # a JSON object: its names are strings
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("the provider sent no ID token")
        access_token = token.get("access_token")
        access_token = access_token if isinstance(access_token, str) else None
        claims = await self.verify_id_token(id_token, nonce=pending.nonce,
                                            access_token=access_token)
        principal = self.config.mapping.principal(claims)
        ago = _authenticated_ago(claims)
        if pending.max_age is not None and (ago is None
                                            or ago > timedelta(seconds=pending.max_age)):
            # Measured on the provider's clock alone (iat and auth_time), so neither clock
            # skew nor a test's moved clock decides it.
            raise NotFreshlyAuthenticated("the ID token shows no password entered just now")
        return SignedIn(principal=principal, name=principal.display_name, authenticated_ago=ago,
                        access_token=access_token)

    async def verify_id_token(self, id_token: str, *, nonce: str,
                              access_token: str | None = None) -> dict[str, Any]:
        metadata = await self.metadata()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or \
            list(DEFAULT_ALGORITHMS)
        algorithms = [alg for alg in algorithms if alg != "none"]
        registry = JWSRegistry(algorithms=algorithms)
        try:
            try:
                decoded = jwt.decode(id_token, await self._key_set(refresh=False),
                                     registry=registry)
            except InvalidKeyIdError:
                # A key we have not seen: the provider rotated; fetch its keys once more.
                decoded = jwt.decode(id_token, await self._key_set(refresh=True),
                                     registry=registry)
            params: dict[str, Any] = {"nonce": nonce, "client_id": self.config.client_id}
            if access_token:
                params["access_token"] = access_token
            claims = CodeIDToken(decoded.claims, decoded.header,
                                 {"iss": {"essential": True, "values": [self.config.issuer]},
                                  "aud": {"essential": True, "values": [self.config.client_id]},
                                  "nonce": {"essential": True}}, params)
            claims.validate(leeway=60)  # pyright: ignore[reportUnknownMemberType] (Authlib)
        except (JoseRfcError, ValueError) as error:
            raise SignInFailed(f"the ID token is not valid: {type(error).__name__}") from None
        return dict(claims)

    async def end_session_url(self, post_logout_redirect_uri: str) -> str | None:
        """Where the browser signs out at the provider too (RP-initiated logout), if it can."""
        endpoint = (await self.metadata()).get("end_session_endpoint")
        if not endpoint:
            return None
        query = {"client_id": self.config.client_id,
                 "post_logout_redirect_uri": post_logout_redirect_uri}
        return f"{endpoint}?{urlencode(query)}"


def _authenticated_ago(claims: dict[str, Any]) -> timedelta | None:
    auth_time, issued_at = claims.get("auth_time"), claims.get("iat")
    if not isinstance(auth_time, int | float) or not isinstance(issued_at, int | float):
        return None
    return timedelta(seconds=max(0.0, float(issued_at) - float(auth_time)))
