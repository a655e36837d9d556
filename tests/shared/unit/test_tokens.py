"""API tokens: signed by one issuer's private key, verified with public keys only.

Each refusal replays an attack: a token signed with the secret all services once shared
(HS256), the public key used as an HMAC secret (algorithm confusion), ``alg: none``, a forged
signature under the trusted key's id, a private key handed to a service by mistake.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from typer.testing import CliRunner

from ankommen.intake.config import IntakeSettings
from ankommen.shared.cli import main as cli
from ankommen.shared.identity.auth import InvalidToken, Principal, Role, TokenIssuer, TokenVerifier
from ankommen.shared.identity.token_keys import (
    UnusableKey,
    development_keys,
    generate_signing_key,
    key_id,
    load_public_keys,
    load_signing_key,
    private_pem,
    public_pem,
)
from ankommen.shared.runtime import token_verifier
from ankommen.shared.settings import SettingsError, load_settings
from tests.support.tokens import ISSUER, forged_token, retired_secret_token


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return generate_signing_key()


@pytest.fixture
def issuer(key: Ed25519PrivateKey) -> TokenIssuer:
    return TokenIssuer(key)


def verifier_of(*issuers: TokenIssuer) -> TokenVerifier:
    return TokenVerifier(issuer.public_key for issuer in issuers)


def claims(role: Role = Role.ADMIN) -> dict[str, object]:
    return {"iss": "ankommen", "aud": "ankommen", "sub": "mallory", "role": role.value,
            "exp": 4_102_444_800}  # 2100-01-01


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def test_a_token_of_the_issuer_is_verified_with_its_public_key(issuer):
    token = issuer.issue(Role.PROVIDER, "vhs", provider_id="vhs-a")

    assert verifier_of(issuer).verify(token) == Principal("vhs", Role.PROVIDER, "vhs-a")
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "typ": "JWT",
                                                "kid": issuer.key_id}


def test_a_token_signed_with_the_old_shared_secret_is_refused():
    with pytest.raises(InvalidToken, match="not signed with EdDSA"):
        verifier_of(ISSUER).verify(retired_secret_token(Role.ADMIN))


def test_the_public_key_used_as_an_hmac_secret_is_refused(issuer):
    """Algorithm confusion: the public key is no secret, so an HS256 token "signed" with it
    would be anyone's to make, if a verifier let the token choose the algorithm."""
    public = public_pem(issuer.public_key).encode()
    header = {"alg": "HS256", "typ": "JWT", "kid": issuer.key_id}
    signing_input = b".".join(_b64(json.dumps(part).encode()) for part in (header, claims()))
    confused = signing_input + b"." + _b64(hmac.new(public, signing_input,
                                                    hashlib.sha256).digest())

    with pytest.raises(InvalidToken, match="not signed with EdDSA"):
        verifier_of(issuer).verify(confused.decode())


def test_an_unsigned_token_is_refused(issuer):
    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": issuer.key_id})

    with pytest.raises(InvalidToken, match="not signed with EdDSA"):
        verifier_of(issuer).verify(unsigned)


def test_a_forged_signature_under_the_trusted_key_id_is_refused():
    with pytest.raises(InvalidToken, match="not valid"):
        verifier_of(ISSUER).verify(forged_token(Role.ADMIN))


def test_a_token_of_another_issuer_or_without_key_id_is_refused(key, issuer):
    stranger = TokenIssuer(generate_signing_key())
    without_kid = jwt.encode(claims(), key, algorithm="EdDSA")

    for token in (stranger.issue(Role.ADMIN, "mallory"), without_kid):
        with pytest.raises(InvalidToken, match="does not trust"):
            verifier_of(issuer).verify(token)


def test_expired_and_malformed_tokens_are_refused(issuer):
    with pytest.raises(InvalidToken, match="expired"):
        verifier_of(issuer).verify(issuer.issue(Role.ADMIN, "a", valid_for=timedelta(hours=-1)))
    for garbage in ("", "a.b.c", "not a token", "e30.e30.", 3 * "x" * 1000):
        with pytest.raises(InvalidToken):
            verifier_of(issuer).verify(garbage)


def test_key_rotation_trusts_both_keys_until_the_old_one_is_retired(issuer, tmp_path):
    new = TokenIssuer(generate_signing_key())
    both = tmp_path / "public-keys.pem"
    both.write_text(public_pem(issuer.public_key) + public_pem(new.public_key))
    during = TokenVerifier(load_public_keys(str(both)))
    after = verifier_of(new)

    old_token, new_token = issuer.issue(Role.ADMIN, "a"), new.issue(Role.ADMIN, "a")

    assert during.key_ids == sorted([issuer.key_id, new.key_id])  # what the start-up log says
    assert during.verify(old_token).subject == during.verify(new_token).subject == "a"
    assert after.verify(new_token).subject == "a"
    with pytest.raises(InvalidToken, match="does not trust"):
        after.verify(old_token)


def test_a_service_is_never_given_a_private_key(key):
    """A signing key in the public key setting would let the service mint tokens."""
    with pytest.raises(UnusableKey, match="PRIVATE KEY block"):
        load_public_keys(private_pem(key))
    rsa_public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    with pytest.raises(UnusableKey, match="not an Ed25519 key"):
        load_public_keys(rsa_public.public_bytes(Encoding.PEM,
                                                 PublicFormat.SubjectPublicKeyInfo).decode())
    with pytest.raises(UnusableKey, match="readable PEM file"):
        load_public_keys("/nonexistent/public-key.pem")


def test_services_read_no_signing_key_even_when_it_is_in_their_environment(monkeypatch):
    signing = private_pem(generate_signing_key())
    monkeypatch.setenv("ANKOMMEN_TOKEN_SIGNING_KEY", signing)

    settings = load_settings(IntakeSettings, _env_file=None)

    assert signing not in json.dumps(settings.model_dump(mode="json"), default=str)
    assert not any("sign" in name for name in type(settings).model_fields)


def test_a_service_with_an_unusable_public_key_does_not_start(monkeypatch, tmp_path):
    monkeypatch.setenv("ANKOMMEN_TOKEN_PUBLIC_KEY", str(tmp_path / "missing.pem"))

    with pytest.raises(SettingsError, match="ANKOMMEN_TOKEN_PUBLIC_KEY: neither PEM"):
        token_verifier(load_settings(IntakeSettings, _env_file=None))


def test_the_development_key_pair_is_made_once_even_by_concurrent_starts(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        pairs = list(pool.map(lambda _: development_keys(tmp_path), range(8)))

    assert len(set(pairs)) == 1
    [keys] = set(pairs)
    signing = load_signing_key(str(keys.signing_key_file))
    [public] = load_public_keys(str(keys.public_key_file))
    assert key_id(signing.public_key()) == key_id(public)
    assert stat.S_IMODE(os.stat(keys.signing_key_file).st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["token-keys"]  # no staging left


def test_ankommen_token_in_development_is_trusted_by_the_services(monkeypatch, tmp_path):
    for name in ("ANKOMMEN_TOKEN_SIGNING_KEY", "ANKOMMEN_TOKEN_PUBLIC_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANKOMMEN_DATA_DIR", str(tmp_path))

    result = CliRunner().invoke(cli.app, ["token", "coordinator", "--subject", "kreis"])

    assert result.exit_code == 0, result.output
    service = token_verifier(load_settings(IntakeSettings, _env_file=None))
    assert service.verify(result.output.strip()) == Principal("kreis", Role.COORDINATOR)


def test_ankommen_token_is_refused_in_production_even_with_the_signing_key(monkeypatch,
                                                                          tmp_path):
    """Development and scripts only (issue 20): in production staff sign in through the
    county's identity provider and provider systems get their tokens there."""
    key_file = tmp_path / "signing.pem"
    key_file.write_text(private_pem(generate_signing_key()))
    monkeypatch.setenv("ANKOMMEN_TOKEN_SIGNING_KEY", str(key_file))
    monkeypatch.setenv("ANKOMMEN_PROFILE", "production")
    monkeypatch.setenv("ANKOMMEN_DATA_DIR", str(tmp_path))

    refused = CliRunner().invoke(cli.app, ["token", "admin"])

    assert refused.exit_code == 2
    assert "refused in the production profile" in refused.output
    assert "identity provider" in refused.output
    assert "eyJ" not in refused.output, "no token printed"
    assert not Path(tmp_path / "token-keys").exists(), "no development key in production"


def test_a_public_key_given_as_pem_text_is_checked_with_the_settings(monkeypatch, key):
    monkeypatch.setenv("ANKOMMEN_TOKEN_PUBLIC_KEY", private_pem(key))

    with pytest.raises(SettingsError, match="ANKOMMEN_TOKEN_PUBLIC_KEY: .*PRIVATE KEY block"):
        load_settings(IntakeSettings, _env_file=None)
