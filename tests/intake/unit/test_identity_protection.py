"""Envelope encryption of identities, and the settings that refuse development keys in
production."""

from __future__ import annotations

import base64
import uuid
from datetime import date

import pytest

from ankommen.intake.adapters.crypto import IdentityVault, UndecryptableIdentity
from ankommen.intake.config import IntakeSettings
from ankommen.intake.domain.identity import Identity, age_on
from ankommen.shared.settings import SettingsError, load_settings
from tests.support.tokens import PUBLIC_KEY_PEM

PERSON = Identity(family_name="Rezaei", given_names="Mohammadreza", birth_date=date(1992, 12, 1),
                  nationalities=["IRN", "AFG"])


def test_sealed_identity_opens_only_for_its_own_case():
    vault = IdentityVault(b"m" * 32)
    case_id = uuid.uuid4()
    sealed = vault.seal(case_id, PERSON)
    assert sealed.ciphertext.startswith(b"v1") and b"Rezaei" not in sealed.ciphertext
    assert vault.open(case_id, sealed.wrapped_key, sealed.ciphertext) == PERSON
    with pytest.raises(UndecryptableIdentity):
        vault.open(uuid.uuid4(), sealed.wrapped_key, sealed.ciphertext)
    with pytest.raises(UndecryptableIdentity):
        vault.open(case_id, None, sealed.ciphertext)


def test_each_person_gets_a_data_key_of_their_own():
    vault = IdentityVault(b"m" * 32)
    first, second = uuid.uuid4(), uuid.uuid4()
    one, other = vault.seal(first, PERSON), vault.seal(second, PERSON)
    assert vault.unwrap(first, one.wrapped_key) != vault.unwrap(second, other.wrapped_key)


def test_rewrapped_key_opens_the_unchanged_ciphertext_under_the_new_master_key():
    case_id = uuid.uuid4()
    sealed = IdentityVault(b"o" * 32).seal(case_id, PERSON)
    rotating = IdentityVault(b"n" * 32, [b"o" * 32])
    rewrapped = rotating.rewrap(case_id, sealed.wrapped_key)
    assert IdentityVault(b"n" * 32).open(case_id, rewrapped, sealed.ciphertext) == PERSON
    with pytest.raises(UndecryptableIdentity):
        IdentityVault(b"n" * 32).open(case_id, sealed.wrapped_key, sealed.ciphertext)


def test_age_is_counted_in_completed_years():
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


#: Production signs staff in through the county's identity provider (required there).
PRODUCTION_SIGN_IN = {
    "ANKOMMEN_INTAKE_OIDC_ISSUER": "https://login.example.org/realms/county",
    "ANKOMMEN_INTAKE_OIDC_CLIENT_ID": "ankommen-intake",
    "ANKOMMEN_INTAKE_OIDC_CLIENT_SECRET": "a-client-secret-of-the-intake-pages",
    "ANKOMMEN_INTAKE_OIDC_ROLE_MAPPING": '{"intake": "intake_staff"}',
}


def test_production_refuses_the_development_master_and_blind_index_keys(monkeypatch):
    monkeypatch.setenv("ANKOMMEN_PROFILE", "production")
    monkeypatch.setenv("ANKOMMEN_TOKEN_PUBLIC_KEY", PUBLIC_KEY_PEM)
    monkeypatch.setenv("ANKOMMEN_INTAKE_CSRF_SECRET", "c" * 40)
    monkeypatch.setenv("ANKOMMEN_COUNTY_DISTRICTS", "03358")
    monkeypatch.setenv("ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("ANKOMMEN_KAFKA_USERNAME", "intake")
    monkeypatch.setenv("ANKOMMEN_KAFKA_PASSWORD", "k" * 40)
    monkeypatch.setenv("ANKOMMEN_KAFKA_CA_FILE", "/run/secrets/kafka_ca.pem")
    monkeypatch.setenv("ANKOMMEN_COUNTY_DISTRICTS", "03358")
    monkeypatch.setenv("ANKOMMEN_INTAKE_DATABASE_URL", "postgresql+asyncpg://db/intake")
    for name, value in PRODUCTION_SIGN_IN.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        load_settings(IntakeSettings, _env_file=None)
    assert "ANKOMMEN_INTAKE_MASTER_KEY" in str(refused.value)
    assert "ANKOMMEN_INTAKE_BLIND_INDEX_KEY" in str(refused.value)
    monkeypatch.setenv("ANKOMMEN_INTAKE_MASTER_KEY", base64.b64encode(b"k" * 32).decode())
    monkeypatch.setenv("ANKOMMEN_INTAKE_BLIND_INDEX_KEY", "b" * 40)
    assert load_settings(IntakeSettings, _env_file=None).current_master_key() == b"k" * 32


def test_master_key_file_replaces_the_key_setting(monkeypatch, tmp_path):
    key_file = tmp_path / "master.key"
    key_file.write_text(base64.b64encode(b"f" * 32).decode() + "\n")
    monkeypatch.setenv("ANKOMMEN_PROFILE", "production")
    monkeypatch.setenv("ANKOMMEN_TOKEN_PUBLIC_KEY", PUBLIC_KEY_PEM)
    monkeypatch.setenv("ANKOMMEN_INTAKE_CSRF_SECRET", "c" * 40)
    monkeypatch.setenv("ANKOMMEN_COUNTY_DISTRICTS", "03358")
    monkeypatch.setenv("ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("ANKOMMEN_KAFKA_USERNAME", "intake")
    monkeypatch.setenv("ANKOMMEN_KAFKA_PASSWORD", "k" * 40)
    monkeypatch.setenv("ANKOMMEN_KAFKA_CA_FILE", "/run/secrets/kafka_ca.pem")
    monkeypatch.setenv("ANKOMMEN_COUNTY_DISTRICTS", "03358")
    monkeypatch.setenv("ANKOMMEN_INTAKE_DATABASE_URL", "postgresql+asyncpg://db/intake")
    for name, value in PRODUCTION_SIGN_IN.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ANKOMMEN_INTAKE_BLIND_INDEX_KEY", "b" * 40)
    monkeypatch.setenv("ANKOMMEN_INTAKE_MASTER_KEY_FILE", str(key_file))
    assert load_settings(IntakeSettings, _env_file=None).current_master_key() == b"f" * 32


def test_a_master_key_that_is_not_32_bytes_is_refused():
    with pytest.raises(SettingsError, match="ANKOMMEN_INTAKE_MASTER_KEY"):
        load_settings(IntakeSettings, _env_file=None,
                      master_key=base64.b64encode(b"short").decode())
