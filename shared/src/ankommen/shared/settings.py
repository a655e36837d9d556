"""Settings shared by every service, read from the environment by pydantic-settings.

Each service subclasses :class:`ServiceSettings` in its own ``config.py`` with its own env
prefix (``ANKOMMEN_INTAKE_`` …). Settings that must agree across services — the profile, the
Kafka bootstrap servers, the token issuer's public key — are read from un-prefixed
``ANKOMMEN_*`` names so an operator sets them once. No secret is among them: each service's
secrets are its own, and the token issuer's private key is read only by ``ankommen token``
(:class:`IssuerSettings`).

Start-up must fail loudly rather than run half-configured: an invalid value raises a
:class:`pydantic.ValidationError` naming the variable; outside the development profile, a
secret left at its development default or a connection setting left implicit is refused.
"""

from __future__ import annotations

import ipaddress
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ankommen.shared.identity.auth import Role
from ankommen.shared.identity.token_keys import development_keys, load_public_keys
from ankommen.shared.messaging.kafka_access import KafkaAccess
from ankommen.shared.messaging.topics import PROVIDER_ID

if TYPE_CHECKING:
    from ankommen.shared.reference import ReferenceList

#: Development defaults for secrets. Anyone can read them here, so they are refused outside
#: the development profile.
DEVELOPMENT_CSRF_SECRET = "development-only-csrf-secret-change-me-0123456789"
#: The demo county (Landkreis Heidekreis), the development profile's default district.
DEVELOPMENT_COUNTY_DISTRICTS = "03358"
#: The demo county's provider whose own system reports over Kafka (tools/synthetic).
DEVELOPMENT_KAFKA_PROVIDERS = "bildungszentrum-heide"
#: The clock file of the embedded stack, in its data dir (see ``clock_file``).
EMBEDDED_CLOCK_FILE = "clock"
#: A rate in the ``limits`` notation: "10/minute", "5 per second", "100/hour".
RATE_LIMIT_PATTERN = r"^\d+\s*(/|per)\s*(\d+\s*)?(second|minute|hour|day)s?$"


#: Traces recorded in production unless ``ANKOMMEN_TRACE_SAMPLE_RATIO`` says otherwise.
PRODUCTION_TRACE_SAMPLE_RATIO = 0.1


class Profile(StrEnum):
    """Where a service runs: the embedded one-machine stack, or a production deployment."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class BrokerChoice(StrEnum):
    """Which broker ``ankommen run`` starts: Apache Kafka where it can run, else Tansu."""

    AUTO = "auto"
    KAFKA = "kafka"
    TANSU = "tansu"


class OutboxRelayMode(StrEnum):
    """Where a service's outbox relay runs (``ANKOMMEN_<SERVICE>_OUTBOX_RELAY``).

    ``inline``: a task in the web process, woken after each commit — one process to run, but
    the relay's publishing and stamping share the request path's event loop (6–17 % of it,
    issue 21) and, on SQLite, its write lock. ``separate``: the web process does not relay;
    ``ankommen-<service> relay`` does, in its own process with its own connection and
    producer, woken across processes (:mod:`ankommen.shared.messaging.relay_wakeup`). ``make
    run`` and docker-compose.yml run ``separate``; in-process tests keep ``inline``."""

    INLINE = "inline"
    SEPARATE = "separate"


class BrokerKind(StrEnum):
    """The broker the services talk to. Production runs Apache Kafka; the embedded Tansu broker
    (development only) lacks parts of the protocol, and its workarounds apply only to it."""

    APACHE_KAFKA = "apache-kafka"
    TANSU = "tansu"


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"10.0.0.5, 172.18.0.0/16, ::1"`` as networks; raises ValueError naming a bad item."""
    networks: list[Network] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network (e.g. 10.0.0.5 or "
                             "172.18.0.0/16)") from None
    return tuple(networks)


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable and the reason."""


def _items(value: str) -> list[str]:
    """The non-empty items of a comma-separated setting."""
    return [item.strip() for item in value.split(",") if item.strip()]


def _shared(name: str) -> AliasChoices:
    """A setting that every service reads under the same un-prefixed variable name."""
    return AliasChoices(f"ANKOMMEN_{name}")


class ProfileSetting(BaseSettings):
    """Only the profile: what a development tool checks before it reads anything else
    (``ankommen token`` refuses in production before it asks for a key)."""

    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore")

    profile: Profile = Field(default=Profile.DEVELOPMENT, validation_alias=_shared("PROFILE"))


class CommonSettings(BaseSettings):
    """What every process of ankommen agrees on: profile, broker, districts, telemetry.

    The ``ankommen`` command (topics, tokens, the embedded stack) needs only these.
    """

    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "ankommen"

    profile: Profile = Field(default=Profile.DEVELOPMENT, validation_alias=_shared("PROFILE"))
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
    #: Retired: the secret all services once shared to sign and check tokens. Read only so
    #: that production refuses to start while it is still handed to a container.
    retired_token_secret: SecretStr | None = Field(
        None, validation_alias=_shared("TOKEN_SECRET"), exclude=True, repr=False)
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
    data_dir: Path = Field(Path("var"), validation_alias=_shared("DATA_DIR"))
    #: Development only: a file whose offset moves this process's clock
    #: (:class:`ankommen.shared.clock.FileClock`); ``ankommen run`` points every service at
    #: ``<data dir>/clock``, which ``make demo`` writes to travel through the county's year.
    #: Unset: the system clock. The production profile refuses it: a county's records are
    #: dated by the real calendar.
    clock_file: Path | None = Field(None, validation_alias=_shared("CLOCK_FILE"))
    otlp_endpoint: str | None = Field(
        None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    #: Share of traces recorded (0–1), a parent-based ratio sampler: a trace begun elsewhere
    #: keeps its caller's decision, so a case's trace is whole or absent across services.
    #: Unset: 0.1 in production (tracing cost 10–12 % of intake's CPU per registration when
    #: every request was recorded, issue 21), 1.0 in development (every trace to look at).
    trace_sample_ratio: float | None = Field(None, ge=0.0, le=1.0,
                                             validation_alias=_shared("TRACE_SAMPLE_RATIO"))
    log_level: str = Field("INFO", validation_alias=_shared("LOG_LEVEL"),
                           pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    #: How long a consumer group waits for a silent member before handing its partitions to
    #: the others. Unset: Kafka's usual 10 s in production (tolerates pauses without needless
    #: rebalances); 2 s in development, where a group join on the embedded broker waits about
    #: half this time — a restarted service is consuming again within a second or two.
    consumer_session_timeout_ms: int | None = Field(
        None, ge=1000, le=300_000, validation_alias=_shared("CONSUMER_SESSION_TIMEOUT_MS"))
    #: A consumer that has delivered nothing for this long while messages wait for it on its
    #: partitions is restarted (:mod:`ankommen.shared.messaging.stall_watch`); checked every
    #: quarter of it.
    consumer_stall_seconds: float = Field(60.0, ge=1.0, le=3600.0,
                                          validation_alias=_shared("CONSUMER_STALL_SECONDS"))
    #: How long a batch consumer waits for records, and then pauses, when its partitions are
    #: empty (FastStream sleeps this long again after an empty poll). The latency of every
    #: event a batch consumer reads is up to twice this; 200 ms keeps an idle service quiet.
    #: Tests that move a county through many days set it low (the simulated year).
    consumer_batch_wait_ms: int = Field(200, ge=5, le=5000,
                                        validation_alias=_shared("CONSUMER_BATCH_WAIT_MS"))
    #: The districts (*Kreisschlüssel*, five digits, comma-separated) the county is responsible
    #: for: a course elsewhere is no placement the county made, and a fact from elsewhere is no
    #: figure the county publishes. One district for a county (*Landkreis*), several for an
    #: association of counties. Development: Landkreis Heidekreis, the demo county.
    county_districts: str = Field(
        DEVELOPMENT_COUNTY_DISTRICTS, validation_alias=_shared("COUNTY_DISTRICTS"),
        pattern=r"^\s*\d{5}\s*(,\s*\d{5}\s*)*$")
    #: The county's own municipality directory (CSV: ``ags,name``; docs/reference-data.md),
    #: for districts beyond those ankommen ships (Heidekreis, Celle), or newer than them.
    municipality_directory_file: Path | None = Field(
        None, validation_alias=_shared("MUNICIPALITY_DIRECTORY_FILE"))

    #: Development: ``ankommen run`` starts the development identity provider
    #: (``deploy/dev-idp``) on this port and signs the pages in there
    #: (:mod:`ankommen.tools.dev_idp`); off, or where a service names an identity provider
    #: of its own (``ANKOMMEN_<SERVICE>_OIDC_ISSUER``), the pages keep their own settings.
    dev_idp: bool = Field(True, validation_alias=_shared("DEV_IDP"))
    dev_idp_port: int = Field(8110, ge=1, le=65535, validation_alias=_shared("DEV_IDP_PORT"))

    #: The providers (ids, comma-separated) whose own systems report over Kafka: each gets
    #: its own topics ``ankommen.provider.<provider_id>.reports`` and ``….rejections``
    #: from ``ankommen topics create``, and its own principal. The one list an operator
    #: keeps: a provider not in it has no Kafka channel (its reports come by web form, CSV
    #: or HTTP). Empty unless set; development: the demo county's Kafka provider.
    kafka_providers: str | None = Field(None, validation_alias=_shared("KAFKA_PROVIDERS"))

    @field_validator("kafka_providers")
    @classmethod
    def _provider_ids(cls, value: str | None) -> str | None:
        if value is not None:
            wrong = [item for item in _items(value) if not PROVIDER_ID.match(item)]
            if wrong:
                raise ValueError(f"not provider ids: {', '.join(map(repr, wrong))} (lower "
                                 "case letters, digits, - and _; 2 to 40 characters each)")
        return value

    def sample_ratio(self) -> float:
        """The share of traces recorded: the setting, or the profile's default."""
        if self.trace_sample_ratio is not None:
            return self.trace_sample_ratio
        return 1.0 if self.profile is Profile.DEVELOPMENT else PRODUCTION_TRACE_SAMPLE_RATIO

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> CommonSettings:
        if self.profile is Profile.DEVELOPMENT:
            return self
        problems: list[str] = []
        for name, default in self.development_secrets().items():
            value = getattr(self, name)
            if value is None or value.get_secret_value() == default:
                problems.append(f"{self.env_name(name)}: a development default secret is not "
                                "allowed in the production profile (set a secret of your own)")
            elif len(value.get_secret_value()) < 32:
                problems.append(f"{self.env_name(name)}: must be at least 32 characters")
        if self.retired_token_secret is not None:
            problems.append(f"{self.env_name('retired_token_secret')}: no longer used, remove "
                            "it: tokens are signed by the issuer's private key and the services "
                            "verify them with ANKOMMEN_TOKEN_PUBLIC_KEY")
        if "kafka_username" in self.required_in_production() and \
                self.kafka_password is None and self.kafka_password_file is None:
            problems.append(f"{self.env_name('kafka_password')} (or "
                            f"{self.env_name('kafka_password_file')}): required in the "
                            "production profile (Kafka authorises every principal)")
        if self.clock_file is not None:
            problems.append(f"{self.env_name('clock_file')}: the movable clock is a "
                            "development tool; production runs on the system clock")
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
        return {}

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
        """How every Kafka client of this process connects
        (:mod:`ankommen.shared.messaging.kafka_access`)."""
        return KafkaAccess(self.kafka_bootstrap_servers, self.kafka_username,
                           self.kafka_secret(), self.kafka_ca_file)

    @property
    def embedded_clock_file(self) -> Path:
        """The clock file the embedded stack's services follow (``clock_file`` if set)."""
        return self.clock_file or self.data_dir / EMBEDDED_CLOCK_FILE

    @property
    def is_development(self) -> bool:
        return self.profile is Profile.DEVELOPMENT

    @property
    def districts(self) -> frozenset[str]:
        """The county's district keys (``county_districts`` as a set)."""
        return frozenset(key.strip() for key in self.county_districts.split(","))

    def municipalities(self) -> ReferenceList:
        """The county's municipalities by name (:mod:`ankommen.shared.reference`): built once
        per county; raises :class:`~ankommen.shared.reference.DirectoryError` naming the
        setting when a district has none."""
        # Imported here: the ``ankommen`` command and the services that show no municipality
        # need not load the reference lists.
        from ankommen.shared.reference import municipalities

        return municipalities(self.districts, self.municipality_directory_file)

    def district_names(self) -> dict[str, str]:
        """The county's districts by name (``03358`` → ``Landkreis Heidekreis``), from the
        same directory as :meth:`municipalities`."""
        from ankommen.shared.reference import district_names

        return district_names(self.districts, self.municipality_directory_file)

    @property
    def kafka_provider_ids(self) -> tuple[str, ...]:
        """The providers with a Kafka channel (``kafka_providers``, in order, once each)."""
        if self.kafka_providers is None:
            return tuple(_items(DEVELOPMENT_KAFKA_PROVIDERS)) if self.is_development else ()
        return tuple(dict.fromkeys(_items(self.kafka_providers)))

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
    #: Database connections kept open (see :data:`ankommen.shared.db.engine.
    #: DEFAULT_POOL_SIZE`: the concurrency of one service process), on SQLite too.
    database_pool_size: int = Field(20, ge=1, le=200)
    #: Group commit (:mod:`ankommen.shared.db.group_commit`): how long the writer waits for
    #: more units after the first of a group arrived (milliseconds; 0 = only those already
    #: waiting), and the most units written in one transaction.
    group_commit_max_wait_ms: float = Field(2.0, ge=0, le=50)
    group_commit_max_units: int = Field(64, ge=1, le=1000)
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(None, ge=1, le=65535)
    #: Serve on this inherited, already listening socket (a file descriptor) instead of
    #: binding ``http_host:http_port`` itself: whoever starts the process chose and holds the
    #: port, so no other process can take it in between (see
    #: :func:`ankommen.tools.embedded.listening_socket`). ``http_port`` then only says which
    #: port that is.
    http_fd: int | None = Field(None, ge=0)
    #: Relay the outbox to Kafka. Switched off, events wait in the outbox until it is on again.
    outbox_relay_enabled: bool = True
    #: Where the relay runs: in the web process (``inline``) or in ``ankommen-<service>
    #: relay`` processes (``separate``; see :class:`OutboxRelayMode`).
    outbox_relay: OutboxRelayMode = OutboxRelayMode.INLINE
    #: How often the relay looks for unsent rows when nothing woke it (seconds). Commits wake
    #: it at once (in the web process, or by ``NOTIFY`` / ``data_version`` when separate); the
    #: poll only catches a wake-up that was lost, e.g. while the relay's listening connection
    #: to PostgreSQL was being re-established.
    outbox_relay_poll_seconds: float = Field(1.0, gt=0, le=3600)
    #: Apply migrations at start-up; on by default only in the development profile.
    migrate_on_startup: bool | None = None

    @property
    def relays_in_web_process(self) -> bool:
        """Does ``serve`` run the outbox relay itself?"""
        return self.outbox_relay_enabled and self.outbox_relay is OutboxRelayMode.INLINE
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
    #: How old the Kafka clients' view of the cluster's topics may get before they ask again
    #: (``metadata_max_age_ms``). Unset: Kafka's 5 minutes (5 s on Tansu). A service that
    #: subscribes by pattern (progress: every provider's reports topic) sees a new topic only
    #: when it asks, so it sets less.
    kafka_metadata_max_age_ms: int | None = Field(None, ge=500, le=300_000)
    #: Sign-in attempts per client address (``limits`` notation: "10/minute", "100/hour").
    login_rate_limit: str = Field("10/minute", pattern=RATE_LIMIT_PATTERN)
    #: The reverse proxies in front of the services (comma-separated addresses or networks,
    #: e.g. ``172.18.0.0/16``): only from them is the client address taken from
    #: ``X-Forwarded-For`` (and the scheme from ``X-Forwarded-Proto``). Empty (the default):
    #: nobody is trusted, the client address is the connection's peer, the headers are ignored
    #: (see ankommen.shared.web.hardening).
    trusted_proxies: str = Field("", validation_alias=_shared("TRUSTED_PROXIES"))

    #: The token issuer's public key(s), which the service verifies tokens with: PEM text, or
    #: the path of a PEM file; during a key rotation the old and the new key, one block after
    #: the other. Unset in development: the data dir's key pair (``ankommen token`` signs with
    #: its private half).
    token_public_key: str | None = Field(None, validation_alias=_shared("TOKEN_PUBLIC_KEY"))
    #: Signs the CSRF cookies of the service's forms; the service's own, shared with none.
    csrf_secret: SecretStr = SecretStr(DEVELOPMENT_CSRF_SECRET)

    #: Sign-in through the county's identity provider (OpenID Connect, issue 20): its issuer
    #: URL. Required in production; unset (development and tests), the pages' sign-in by
    #: pasted token.
    oidc_issuer: str | None = None
    #: This service's pages as a client of the identity provider.
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = Field(None, repr=False)
    #: The claim whose values are the person's groups, and which group is which of our roles
    #: (JSON: ``{"ankommen-koordination": "coordinator", …}``); a person in no mapped group
    #: (or in groups of several roles) is refused.
    oidc_role_claim: str = "groups"
    oidc_role_mapping: dict[str, Role] = Field(default_factory=dict)
    #: The claim that carries a provider's id (a provider's accounts need one, and so do the
    #: client-credentials tokens of a provider's system, where it is bound to the client).
    oidc_provider_id_claim: str = "provider_id"
    #: The audience of the identity provider's access tokens for our APIs (provider systems).
    oidc_api_audience: str = "ankommen"
    #: A page session ends after this long unused, and after ``session_absolute_minutes`` in
    #: any case.
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    session_absolute_minutes: int = Field(10 * 60, ge=1, le=7 * 24 * 60)
    #: Re-authentication (with the identity provider only): these actions ask for the
    #: password again unless it was entered within ``reauth_minutes`` (0: never asked).
    #: Intake's: ``erase`` (a case's erasure) and ``identity_purpose`` (viewing identity for a
    #: purpose not yet confirmed in this session). JSON list in the environment.
    reauth_minutes: int = Field(5, ge=0, le=24 * 60)
    reauth_actions: frozenset[str] = frozenset({"erase", "identity_purpose"})

    @field_validator("oidc_role_mapping", mode="before")
    @classmethod
    def _mapping_from_json(cls, value: object) -> object:
        # The environment gives JSON (pydantic-settings parses it); so may a test's keyword.
        return json.loads(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _oidc_complete(self) -> ServiceSettings:
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret
                                     and self.oidc_role_mapping):
            raise ValueError(f"{self.env_name('oidc_issuer')} needs "
                             f"{self.env_name('oidc_client_id')}, "
                             f"{self.env_name('oidc_client_secret')} and "
                             f"{self.env_name('oidc_role_mapping')}")
        if self.session_absolute_minutes < self.session_idle_minutes:
            raise ValueError("session_absolute_minutes must not be shorter than "
                             "session_idle_minutes")
        return self

    @field_validator("token_public_key")
    @classmethod
    def _public_keys_are_usable(cls, value: str | None) -> str | None:
        # PEM text is checked now; a file is read when the service starts (it may be mounted
        # only in the container that runs the service).
        if value and "-----BEGIN" in value:
            load_public_keys(value)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    def required_in_production(self) -> tuple[str, ...]:
        # Staff sign in through the county's identity provider: production has no pasted-token
        # sign-in for the pages (and ``ankommen token`` refuses to issue there).
        return (*super().required_in_production(), "database_url", "token_public_key",
                "oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_role_mapping")

    def development_secrets(self) -> dict[str, str]:
        return {**super().development_secrets(), "csrf_secret": DEVELOPMENT_CSRF_SECRET}

    @property
    def resolved_token_public_key(self) -> str:
        """The configured public key(s), or (development) the data dir's key file, made on
        first use."""
        if self.token_public_key:
            return self.token_public_key
        return str(development_keys(self.data_dir).public_key_file)

    @property
    def resolved_database_url(self) -> str:
        """The configured database, or a SQLite file under the data dir in development."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / f'{self.service_name}.db'}"

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

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


class IssuerSettings(CommonSettings):
    """What ``ankommen token`` needs: the issuer's private key. Only the issuing command reads
    it — no service container is given it, so none can mint a token."""

    service_name: ClassVar[str] = "ankommen token"

    #: The issuer's Ed25519 private key: PEM text (unencrypted PKCS#8), or the path of its
    #: file. Unset in development: the data dir's key pair.
    token_signing_key: SecretStr | None = Field(
        None, validation_alias=_shared("TOKEN_SIGNING_KEY"), repr=False)

    def required_in_production(self) -> tuple[str, ...]:
        # Only the key: issuing a token neither reaches the broker nor serves a county.
        return ("token_signing_key",)

    @property
    def resolved_token_signing_key(self) -> str:
        """The configured private key, or (development) the data dir's key file."""
        if self.token_signing_key is not None:
            return self.token_signing_key.get_secret_value()
        return str(development_keys(self.data_dir).signing_key_file)


SettingsT = TypeVar("SettingsT", bound=CommonSettings)


def load_settings(cls: type[SettingsT], **overrides: Any) -> SettingsT:
    """Build settings, turning a validation failure into one readable start-up error.
    ``overrides`` are raw values, validated like the environment's (and ``_env_file``)."""
    from pydantic import ValidationError

    try:
        return cls(**overrides)
    except ValidationError as error:
        lines: list[str] = []
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

