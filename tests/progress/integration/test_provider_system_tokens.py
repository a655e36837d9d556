"""A provider's own system reports over HTTP with an access token it obtained from the county's
identity provider by client credentials (issue 20 item 3): the provider id is bound to the
client there, the token is verified against the provider's JWKS; a token of another provider's
client is refused for this provider's participants, a forged or foreign one altogether.

The identity provider is the development one (deploy/dev-idp) as a process; progress runs in
process without a broker (the reports wait in its outbox)."""

from __future__ import annotations

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.progress.integration.catalogue import progress_with_placements, referral_code
from tests.progress.integration.test_reporting_api import enrolment
from tests.support.identity_provider import (
    oidc_settings,
    page_client,
    running_identity_provider,
    system_secret,
)


def system_token(issuer: str, provider_id: str) -> str:
    response = httpx.post(f"{issuer}/token", data={"grant_type": "client_credentials"},
                          auth=(f"{provider_id}-system", system_secret(provider_id)))
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


class NoBroker:
    bootstrap_servers = "127.0.0.1:1"


async def test_a_provider_system_reports_with_a_client_credentials_token(tmp_path,
                                                                        sqlite_databases):
    code = referral_code()
    client = page_client("progress", "http://progress")
    with running_identity_provider(tmp_path / "idp", [client],
                                   systems=["vhs-a", "vhs-b"]) as provider:
        async with progress_with_placements(NoBroker(), sqlite_databases, {"vhs-a": [code]},
                                            **oidc_settings(provider.issuer, client)
                                            ) as (progress, _):
            own = {"Authorization": f"Bearer {system_token(provider.issuer, 'vhs-a')}"}
            accepted = await progress.client.post("/reports", json=enrolment(code), headers=own)
            assert (accepted.status_code, accepted.json()["status"]) == (201, "accepted")

            other = {"Authorization": f"Bearer {system_token(provider.issuer, 'vhs-b')}"}
            refused = await progress.client.post("/reports", json=enrolment(code, "e-2"),
                                                 headers=other)
            assert refused.status_code == 403
            history = await progress.client.get(f"/participants/{code}/reports",
                                                headers=other)
            assert history.status_code == 403

            # Signed by a key the identity provider never published, claiming its name.
            forger = RSAKey.import_key(rsa.generate_private_key(65537, 2048))
            forged = jwt.encode({"alg": "RS256", "kid": "made-up"}, {
                "iss": provider.issuer, "aud": "ankommen", "exp": 4_000_000_000,
                "client_id": "vhs-a-system", "provider_id": "vhs-a"}, forger)
            answer = await progress.client.post(
                "/reports", json=enrolment(code, "e-3"),
                headers={"Authorization": f"Bearer {forged}"})
            assert answer.status_code == 401
