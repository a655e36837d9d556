"""Authentication on the event loop (issue 21, item 4): the role check is an ``async``
dependency (no thread hop per request), and the one blocking step — fetching the identity
provider's keys — runs in a thread, so a slow identity provider stalls only the token that
needs the keys."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OKPKey

from ankommen.shared.identity.auth import (
    Authenticator,
    InvalidToken,
    Principal,
    Role,
    TokenVerifier,
)
from ankommen.shared.identity.jwks_tokens import ClientTokenSettings, JwksTokenVerifier
from tests.support.polling import eventually
from tests.support.tokens import ISSUER

IDP = "https://idp.example"


def idp_token(key: OKPKey, provider_id: str = "vhs-a") -> str:
    claims = {"iss": IDP, "aud": "ankommen", "sub": "vhs-a-system",
              "provider_id": provider_id, "exp": int(time.time()) + 300}
    return jwt.encode({"alg": "EdDSA", "kid": key.kid}, claims, key, algorithms=["EdDSA"])


class SlowIdentityProvider(JwksTokenVerifier):
    """Its key fetch waits for ``release``: as long as a slow identity provider would."""

    def __init__(self, keys: KeySet) -> None:
        super().__init__(ClientTokenSettings(issuer=IDP))
        self.served = keys
        self.fetches = 0
        self.started = threading.Event()
        self.release = threading.Event()

    def _fetch(self) -> KeySet:
        self.fetches += 1
        self.started.set()
        self.release.wait(5)
        return self.served


def test_the_role_check_is_a_coroutine_so_fastapi_runs_it_on_the_loop():
    dependency = Authenticator(TokenVerifier([ISSUER.public_key])).require(Role.ADMIN).dependency
    assert inspect.iscoroutinefunction(dependency)


async def test_our_tokens_are_verified_on_the_loop():
    auth = Authenticator(TokenVerifier([ISSUER.public_key]))
    assert await auth.verify_async(ISSUER.issue(Role.COORDINATOR, "kreis")) == Principal(
        "kreis", Role.COORDINATOR)
    with pytest.raises(InvalidToken):
        await auth.verify_async("not-a-token")


async def test_fetching_the_identity_providers_keys_does_not_block_the_loop():
    key = OKPKey.generate_key("Ed25519", parameters={"kid": "k1"})
    verifier = SlowIdentityProvider(KeySet([key]))
    auth = Authenticator(TokenVerifier([ISSUER.public_key]), external=verifier)
    pending = asyncio.create_task(auth.verify_async(idp_token(key)))

    async def fetching() -> bool:
        return verifier.started.is_set()

    # The loop goes on while the fetch waits: on the loop, it would have run to its end.
    await eventually(fetching, what="the key fetch has started")
    assert not pending.done()
    verifier.release.set()
    assert await pending == Principal("vhs-a-system", Role.PROVIDER, "vhs-a")


async def test_known_keys_are_not_fetched_again_and_a_new_key_id_fetches_them():
    old = OKPKey.generate_key("Ed25519", parameters={"kid": "old"})
    new = OKPKey.generate_key("Ed25519", parameters={"kid": "new"})
    verifier = SlowIdentityProvider(KeySet([old]))
    verifier.release.set()
    assert (await verifier.verify_async(idp_token(old))).provider_id == "vhs-a"
    assert (await verifier.verify_async(idp_token(old, "vhs-b"))).provider_id == "vhs-b"
    assert verifier.fetches == 1
    verifier.served = KeySet([old, new])
    verifier._fetched_at -= 120  # the refetch interval has passed
    assert (await verifier.verify_async(idp_token(new))).subject == "vhs-a-system"
    assert verifier.fetches == 2
    with pytest.raises(InvalidToken):  # an unknown key id within the interval: no fetch
        await verifier.verify_async(idp_token(OKPKey.generate_key(
            "Ed25519", parameters={"kid": "made-up"})))
    assert verifier.fetches == 2
