"""Settings: safe development defaults, clear start-up errors, no default secret in production."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ankommen.intake.config import IntakeSettings
from ankommen.shared.clock import SystemClock, move_clock_file
from ankommen.shared.messaging.producer import producer_options
from ankommen.shared.runtime import service_clock
from ankommen.shared.settings import DEVELOPMENT_CSRF_SECRET, SettingsError, load_settings
from tests.support.tokens import PUBLIC_KEY_PEM

PRODUCTION = {
    "ANKOMMEN_PROFILE": "production",
    "ANKOMMEN_TOKEN_PUBLIC_KEY": PUBLIC_KEY_PEM,
    "ANKOMMEN_INTAKE_CSRF_SECRET": "a-csrf-secret-of-more-than-thirty-two-characters",
    "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
    "ANKOMMEN_KAFKA_USERNAME": "intake",
    "ANKOMMEN_KAFKA_PASSWORD": "a-kafka-password-of-the-intake-principal",
    "ANKOMMEN_KAFKA_CA_FILE": "/run/secrets/kafka_ca.pem",
    "ANKOMMEN_COUNTY_DISTRICTS": "03358, 03351",
    "ANKOMMEN_INTAKE_DATABASE_URL": "postgresql+asyncpg://ankommen@db/intake",
    "ANKOMMEN_INTAKE_MASTER_KEY": "c2VjcmV0LW1hc3Rlci1rZXktb2YtdGhpcnR5LXR3by0=",
    "ANKOMMEN_INTAKE_BLIND_INDEX_KEY": "a-blind-index-key-of-more-than-32-characters",
    "ANKOMMEN_INTAKE_OIDC_ISSUER": "https://login.example.org/realms/county",
    "ANKOMMEN_INTAKE_OIDC_CLIENT_ID": "ankommen-intake",
    "ANKOMMEN_INTAKE_OIDC_CLIENT_SECRET": "a-client-secret-of-the-intake-pages",
    "ANKOMMEN_INTAKE_OIDC_ROLE_MAPPING": '{"intake": "intake_staff"}',
}


@pytest.fixture
def environment(monkeypatch):
    for name in [name for name in __import__("os").environ if name.startswith("ANKOMMEN_")]:
        monkeypatch.delenv(name)

    def apply(values: dict[str, str]) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return apply


def test_development_profile_runs_with_no_configuration(environment):
    environment({})
    settings = load_settings(IntakeSettings)
    assert settings.resolved_database_url == "sqlite+aiosqlite:///var/intake.db"
    assert settings.resolved_http_port == 8101
    assert settings.should_migrate_on_startup
    assert settings.token_public_key is None  # the data dir's key pair, made when needed
    assert settings.csrf_secret.get_secret_value() == DEVELOPMENT_CSRF_SECRET
    assert DEVELOPMENT_CSRF_SECRET not in repr(settings)


def test_production_profile_with_every_setting_starts(environment):
    environment(PRODUCTION)
    settings = load_settings(IntakeSettings)
    assert not settings.should_migrate_on_startup
    assert settings.resolved_database_url.startswith("postgresql+asyncpg://")


def test_default_secret_outside_development_is_refused(environment):
    environment({**PRODUCTION, "ANKOMMEN_INTAKE_CSRF_SECRET": DEVELOPMENT_CSRF_SECRET})
    with pytest.raises(SettingsError,
                       match="ANKOMMEN_INTAKE_CSRF_SECRET: a development default"):
        load_settings(IntakeSettings)


def test_the_retired_shared_token_secret_is_refused_in_production(environment):
    """A container still handed the secret all services once shared is a container that
    could mint tokens for them: production does not start until it is removed."""
    environment({**PRODUCTION, "ANKOMMEN_TOKEN_SECRET": "x" * 40})
    with pytest.raises(SettingsError, match="ANKOMMEN_TOKEN_SECRET: no longer used"):
        load_settings(IntakeSettings)


def test_production_runs_apache_kafka_with_the_idempotent_producer(environment):
    environment(PRODUCTION)
    options = producer_options(load_settings(IntakeSettings).kafka_broker_kind)
    assert (options["acks"], options["enable_idempotence"]) == ("all", True)
    assert "metadata_max_age_ms" not in options  # Kafka's own default; quick only on Tansu


def test_the_embedded_tansu_broker_is_refused_in_production(environment):
    environment({**PRODUCTION, "ANKOMMEN_KAFKA_BROKER_KIND": "tansu"})
    with pytest.raises(SettingsError, match="ANKOMMEN_KAFKA_BROKER_KIND: tansu is the embedded"):
        load_settings(IntakeSettings)


def test_the_movable_development_clock_is_refused_in_production(environment):
    """A county's records are dated by the real calendar: a production service that followed
    a clock file could be made to backdate registrations or expire offers early."""
    environment({**PRODUCTION, "ANKOMMEN_CLOCK_FILE": "/tmp/clock"})
    with pytest.raises(SettingsError, match="ANKOMMEN_CLOCK_FILE: the movable clock is a "
                                            "development tool"):
        load_settings(IntakeSettings)


def test_a_service_follows_the_clock_file_only_when_one_is_set(environment, tmp_path):
    environment({})
    assert isinstance(service_clock(load_settings(IntakeSettings)), SystemClock)
    environment({"ANKOMMEN_CLOCK_FILE": str(tmp_path / "clock")})
    settings = load_settings(IntakeSettings)
    move_clock_file(settings.embedded_clock_file, datetime(2026, 1, 5, 8, tzinfo=UTC))
    assert service_clock(settings).today() == date(2026, 1, 5)


def test_tansu_workarounds_apply_only_on_tansu(environment):
    environment({"ANKOMMEN_KAFKA_BROKER_KIND": "tansu"})
    options = producer_options(load_settings(IntakeSettings).kafka_broker_kind)
    assert (options["acks"], options["enable_idempotence"]) == ("all", False)
    assert options["metadata_max_age_ms"] == 5_000


@pytest.mark.parametrize("missing", ["ANKOMMEN_TOKEN_PUBLIC_KEY", "ANKOMMEN_INTAKE_CSRF_SECRET",
                                     "ANKOMMEN_INTAKE_DATABASE_URL",
                                     "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS",
                                     "ANKOMMEN_KAFKA_USERNAME", "ANKOMMEN_KAFKA_PASSWORD",
                                     "ANKOMMEN_KAFKA_CA_FILE",
                                     "ANKOMMEN_COUNTY_DISTRICTS",
                                     "ANKOMMEN_INTAKE_OIDC_ISSUER",
                                     "ANKOMMEN_INTAKE_OIDC_CLIENT_ID",
                                     "ANKOMMEN_INTAKE_OIDC_CLIENT_SECRET",
                                     "ANKOMMEN_INTAKE_OIDC_ROLE_MAPPING"])
def test_missing_production_setting_is_named(environment, missing):
    environment({name: value for name, value in PRODUCTION.items() if name != missing})
    with pytest.raises(SettingsError, match=missing):
        load_settings(IntakeSettings)


def test_the_county_is_a_list_of_district_keys(environment):
    environment({**PRODUCTION})
    assert load_settings(IntakeSettings).districts == {"03358", "03351"}
    environment({**PRODUCTION, "ANKOMMEN_COUNTY_DISTRICTS": "Heidekreis"})
    with pytest.raises(SettingsError, match="ANKOMMEN_COUNTY_DISTRICTS"):
        load_settings(IntakeSettings)


def test_invalid_value_is_named_with_the_reason(environment):
    environment({"ANKOMMEN_INTAKE_HTTP_PORT": "eighty", "ANKOMMEN_PROFILE": "staging"})
    with pytest.raises(SettingsError) as error:
        load_settings(IntakeSettings)
    message = str(error.value)
    assert "ANKOMMEN_INTAKE_HTTP_PORT" in message
    assert "ANKOMMEN_PROFILE" in message
    assert "integer" in message


def test_consumer_groups_rejoin_fast_in_development_and_tolerate_pauses_in_production(
        environment):
    environment({})
    assert load_settings(IntakeSettings).consumer_group_options() == {
        "session_timeout_ms": 2_000, "heartbeat_interval_ms": 333}
    environment(PRODUCTION)
    assert load_settings(IntakeSettings).consumer_group_options() == {
        "session_timeout_ms": 10_000, "heartbeat_interval_ms": 1_666}
    environment({"ANKOMMEN_CONSUMER_SESSION_TIMEOUT_MS": "45000"})
    assert load_settings(IntakeSettings).consumer_group_options()["session_timeout_ms"] == 45_000


def test_every_kafka_client_authenticates_as_the_configured_principal_over_tls(
        environment, tmp_path):
    password_file = tmp_path / "kafka-password"
    password_file.write_text("from-a-file\n")
    environment({**{name: value for name, value in PRODUCTION.items()
                    if name != "ANKOMMEN_KAFKA_PASSWORD"},
                 "ANKOMMEN_KAFKA_PASSWORD_FILE": str(password_file)})
    kafka = load_settings(IntakeSettings).kafka
    assert (kafka.username, kafka.password) == ("intake", "from-a-file")
    assert kafka.security_protocol == "SASL_SSL"
    assert "from-a-file" not in repr(kafka) and "from-a-file" not in str(kafka)


def test_development_without_credentials_talks_to_an_open_broker(environment):
    environment({})
    assert load_settings(IntakeSettings).kafka.security_protocol == "PLAINTEXT"
    environment({"ANKOMMEN_KAFKA_USERNAME": "intake", "ANKOMMEN_KAFKA_PASSWORD": "secret"})
    assert load_settings(IntakeSettings).kafka.security_protocol == "SASL_PLAINTEXT"
