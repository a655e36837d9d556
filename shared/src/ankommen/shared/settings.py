"""Settings shared by every service, read from the environment by pydantic-settings.

Each service subclasses :class:`ServiceSettings` in its own ``config.py`` with its own env
prefix (``ANKOMMEN_INTAKE_`` …). Settings that must agree across services — the profile, the
Kafka bootstrap servers, the token secret — are read from un-prefixed ``ANKOMMEN_*`` names so an
operator sets them once.

Start-up must fail loudly rather than run half-configured: an invalid value raises a
:class:`pydantic.ValidationError` naming the variable; outside the development profile, a
secret left at its development default or a connection setting left implicit is refused.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import ClassVar, TypeVar

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ankommen.shared.kafka_access import KafkaAccess

#: Development defaults for secrets. Anyone can read them here, so they are refused outside
#: the development profile.
DEVELOPMENT_TOKEN_SECRET = "development-only-token-secret-change-me-0123456789"
#: The demo county (Landkreis Heidekreis), the development profile's default district.
DEVELOPMENT_COUNTY_DISTRICTS = "03358"
#: A rate in the ``limits`` notation: "10/minute", "5 per second", "100/hour".
RATE_LIMIT_PATTERN = r"^\d+\s*(/|per)\s*(\d+\s*)?(second|minute|hour|day)s?$"


class Profile(StrEnum):
    """Where a service runs: the embedded one-machine stack, or a production deployment."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class BrokerChoice(StrEnum):
    """Which broker ``ankommen run`` starts: Apache Kafka where it can run, else Tansu."""

    AUTO = "auto"
    KAFKA = "kafka"
    TANSU = "tansu"


class BrokerKind(StrEnum):
    """The broker the services talk to. Production runs Apache Kafka; the embedded Tansu broker
    (development only) lacks parts of the protocol, and its workarounds apply only to it."""

    APACHE_KAFKA = "apache-kafka"
    TANSU = "tansu"


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable and the reason."""


def _shared(name: str) -> AliasChoices:
    """A setting that every service reads under the same un-prefixed variable name."""
    return AliasChoices(f"ANKOMMEN_{name}")


class CommonSettings(BaseSettings):
    """What every process of ankommen agrees on: profile, broker, token secret, telemetry.

    The ``ankommen`` command (topics, tokens, the embedded stack) needs only these.
    """

    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "ankommen"

    profile: Profile = Field(Profile.DEVELOPMENT, validation_alias=_shared("PROFILE"))
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=_shared("KAFKA_BOOTSTRAP_SERVERS"), min_length=1
    )
    #: Apache Kafka: idempotent producer (no duplicates or reordering from producer retries)
    #: and ``acks=all``. Only the embedded Tansu broker, which lacks the idempotent handshake
    #: and forgets its topics on a restart, gets its workarounds (``ankommen run`` sets this
    #: when it falls back to Tansu); the production profile refuses it.
    kafka_broker_kind: BrokerKind = Field(BrokerKind.APACHE_KAFKA,
                                          validation_alias=_shared("KAFKA_BROKER_KIND"))
    #: The broker of the embedded stack (``ankommen run``, ``ankommen broker``): ``auto`` is
    #: Apache Kafka where Java 17+ and Maven are available, Tansu (in memory) otherwise.
    embedded_broker: BrokerChoice = Field(BrokerChoice.AUTO,
                                          validation_alias=_shared("EMBEDDED_BROKER"))
    #: The Kafka principal this process authenticates as (SASL/SCRAM-SHA-512): ``intake`` …
    #: for a service, ``admin`` for the topics job. Unset: no authentication (an open broker:
    #: the memory-only Tansu fallback, the tests' open broker); required in production, where
    #: the broker authorises each principal by its ACLs (docs/security.md).
    kafka_username: str | None = Field(None, validation_alias=_shared("KAFKA_USERNAME"),
                                       min_length=1)
    kafka_password: SecretStr | None = Field(None, validation_alias=_shared("KAFKA_PASSWORD"))
    #: The password in a file instead (a compose secret), read at start-up.
    kafka_password_file: Path | None = Field(None,
                                             validation_alias=_shared("KAFKA_PASSWORD_FILE"))
    #: PEM file of the CA that signed the brokers' certificates: with it, TLS on the wire
    #: (SASL_SSL). Production compose sets it; loopback (``make run``) goes without.
    kafka_ca_file: Path | None = Field(None, validation_alias=_shared("KAFKA_CA_FILE"))
    token_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_TOKEN_SECRET), validation_alias=_shared("TOKEN_SECRET")
    )
    data_dir: Path = Field(Path("var"), validation_alias=_shared("DATA_DIR"))
    otlp_endpoint: str | None = Field(
        None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    log_level: str = Field("INFO", validation_alias=_shared("LOG_LEVEL"),
                           pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    #: How long a consumer group waits for a silent member before handing its partitions to
    #: the others. Unset: Kafka's usual 10 s in production (tolerates pauses without needless
    #: rebalances); 2 s in development, where a group join on the embedded broker waits about
    #: half this time — a restarted service is consuming again within a second or two.
    consumer_session_timeout_ms: int | None = Field(
        None, ge=1000, le=300_000, validation_alias=_shared("CONSUMER_SESSION_TIMEOUT_MS"))
    #: The districts (*Kreisschlüssel*, five digits, comma-separated) the county is responsible
    #: for: a course elsewhere is no placement the county made, and a fact from elsewhere is no
    #: figure the county publishes. One district for a county (*Landkreis*), several for an
    #: association of counties. Development: Landkreis Heidekreis, the demo county.
    county_districts: str = Field(
        DEVELOPMENT_COUNTY_DISTRICTS, validation_alias=_shared("COUNTY_DISTRICTS"),
        pattern=r"^\s*\d{5}\s*(,\s*\d{5}\s*)*$")

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> CommonSettings:
        if self.profile is Profile.DEVELOPMENT:
            return self
        problems = []
        for name, default in self.development_secrets().items():
            value = getattr(self, name)
            if value is None or value.get_secret_value() == default:
                problems.append(f"{self.env_name(name)}: a development default secret is not "
                                "allowed in the production profile (set a secret of your own)")
            elif len(value.get_secret_value()) < 32:
                problems.append(f"{self.env_name(name)}: must be at least 32 characters")
        if self.kafka_password is None and self.kafka_password_file is None:
            problems.append(f"{self.env_name('kafka_password')} (or "
                            f"{self.env_name('kafka_password_file')}): required in the "
                            "production profile (Kafka authorises every principal)")
        if self.kafka_broker_kind is BrokerKind.TANSU:
            problems.append(f"{self.env_name('kafka_broker_kind')}: tansu is the embedded "
                            "development broker; production runs Apache Kafka")
        for name in self.required_in_production():
            if name not in self.model_fields_set:
                problems.append(f"{self.env_name(name)}: required in the production profile")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # The production rules are methods so that each service can extend them.
    def development_secrets(self) -> dict[str, str]:
        """Secret settings and their development defaults, refused in production."""
        return {"token_secret": DEVELOPMENT_TOKEN_SECRET}

    def required_in_production(self) -> tuple[str, ...]:
        """Settings that must be set explicitly in production (no safe default exists)."""
        # Kafka: a principal of its own (ACLs), and TLS on the wire (the broker's CA).
        return ("kafka_bootstrap_servers", "kafka_username", "kafka_ca_file",
                "county_districts")

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable an operator sets for ``field``."""
        alias = cls.model_fields[field].validation_alias
        if isinstance(alias, AliasChoices):
            return str(alias.choices[0])
        return f"{cls.model_config.get('env_prefix', '')}{field}".upper()

    def kafka_secret(self) -> str | None:
        """The Kafka password: from ``kafka_password``, else read from ``kafka_password_file``
        (a missing file fails the start-up, naming it)."""
        if self.kafka_password is not None:
            return self.kafka_password.get_secret_value()
        if self.kafka_password_file is not None:
            return self.kafka_password_file.read_text().strip()
        return None

    @property
    def kafka(self) -> KafkaAccess:
        """How every Kafka client of this process connects (:mod:`ankommen.shared.kafka_access`)."""
        return KafkaAccess(self.kafka_bootstrap_servers, self.kafka_username,
                           self.kafka_secret(), self.kafka_ca_file)

    @property
    def is_development(self) -> bool:
        return self.profile is Profile.DEVELOPMENT

    @property
    def districts(self) -> frozenset[str]:
        """The county's district keys (``county_districts`` as a set)."""
        return frozenset(key.strip() for key in self.county_districts.split(","))

    def consumer_group_options(self) -> dict[str, int]:
        """Session and heartbeat timing of every consumer group (heartbeats well inside the
        session, as Kafka requires: at most a third of it)."""
        session = self.consumer_session_timeout_ms or (2_000 if self.is_development else 10_000)
        return {"session_timeout_ms": session, "heartbeat_interval_ms": max(100, session // 6)}


class ServiceSettings(CommonSettings):
    """What one service needs besides: its database, how it listens, how it consumes."""

    #: The service's name, used for its database file, group ids and telemetry.
    service_name: ClassVar[str] = "service"
    #: The HTTP port of the embedded stack; each service has its own.
    default_http_port: ClassVar[int] = 8100

    database_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(None, ge=1, le=65535)
    #: Relay the outbox to Kafka. Switched off, events wait in the outbox until it is on again.
    outbox_relay_enabled: bool = True
    #: Apply migrations at start-up; on by default only in the development profile.
    migrate_on_startup: bool | None = None
    #: How long published outbox rows are kept (for inspection) before they are deleted.
    outbox_retention_hours: int = Field(168, ge=1, le=24 * 90)
    #: How often a failing event handler is tried before its message is dead-lettered.
    consumer_max_attempts: int = Field(5, ge=1, le=100)
    #: How long an event for a case not known yet waits for it (assignment, progress; see
    #: ``ankommen.shared.messaging.parking``) before it is given up: time enough to fix and
    #: release a parked registration, and as long as a dead letter is kept.
    parked_event_retention_days: int = Field(30, ge=1, le=365)
    #: The largest request body accepted (413 beyond); upload routes set their own limit.
    max_request_bytes: int = Field(1024 * 1024, ge=1024)
    #: Cookies only over https. Unset: on outside the development profile (and whenever a
    #: request arrives over https).
    secure_cookies: bool | None = None
    #: Sign-in attempts per client address (``limits`` notation: "10/minute", "100/hour").
    login_rate_limit: str = Field("10/minute", pattern=RATE_LIMIT_PATTERN)

    def required_in_production(self) -> tuple[str, ...]:
        return (*super().required_in_production(), "database_url")

    @property
    def resolved_database_url(self) -> str:
        """The configured database, or a SQLite file under the data dir in development."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / f'{self.service_name}.db'}"

    @property
    def cookies_secure(self) -> bool:
        return self.secure_cookies if self.secure_cookies is not None else \
            not self.is_development

    @property
    def resolved_http_port(self) -> int:
        return self.http_port or self.default_http_port

    @property
    def should_migrate_on_startup(self) -> bool:
        if self.migrate_on_startup is not None:
            return self.migrate_on_startup
        return self.is_development


SettingsT = TypeVar("SettingsT", bound=CommonSettings)


def load_settings(cls: type[SettingsT], **overrides: object) -> SettingsT:
    """Build settings, turning a validation failure into one readable start-up error."""
    from pydantic import ValidationError

    try:
        return cls(**overrides)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            location = ".".join(str(part) for part in problem["loc"])
            if not location:  # the production rules: already "VARIABLE: reason; …"
                message = problem["msg"].removeprefix("Value error, ")
                lines.extend(f"  {part}" for part in message.split("; "))
                continue
            field = location if location not in cls.model_fields else cls.env_name(location)
            lines.append(f"  {field}: {problem['msg']}")
        raise SettingsError(
            f"{cls.service_name}: invalid configuration\n" + "\n".join(lines)
        ) from None

