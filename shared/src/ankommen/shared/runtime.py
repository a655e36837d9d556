"""The composition every service shares: database, broker, outbox relay, consumers, telemetry,
health and the FastAPI app around them.

A service describes itself (:class:`ServiceDefinition`) and adds its routers and consumers; the
runtime wires the rest the same way everywhere, so the four services cannot drift apart in how
they start, stop, retry or report health.

Start-up does not wait for Kafka: HTTP is served (and registrations are accepted into the
outbox) while the broker is still unreachable; the connection is retried in the background.
``/readyz`` answers 200 as long as the database works and shows the broker's state beside it
(``components.broker``, ``connected``): the outbox exists so that a broker outage stops no
request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, Protocol, Self

from fastapi import APIRouter, FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import MetaData, text
from typing_extensions import TypeVar

from ankommen.shared.clock import Clock, FileClock, SystemClock
from ankommen.shared.db.engine import create_engine, is_in_memory, session_factory
from ankommen.shared.db.group_commit import GroupWriter
from ankommen.shared.db.sqlite_reads import OneHopReads
from ankommen.shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory, UnitT
from ankommen.shared.errors import install_problem_handlers
from ankommen.shared.events import registry
from ankommen.shared.events.provenance import service_source
from ankommen.shared.identity.auth import Authenticator, TokenVerifier
from ankommen.shared.identity.jwks_tokens import ClientTokenSettings, JwksTokenVerifier
from ankommen.shared.identity.token_keys import UnusableKey, load_public_keys
from ankommen.shared.messaging.asyncapi import asyncapi_document
from ankommen.shared.messaging.broker import Publishers, create_broker
from ankommen.shared.messaging.consumer import EventConsumer
from ankommen.shared.messaging.producer import RelayProducer
from ankommen.shared.messaging.relay import Backoff, OutboxRelay
from ankommen.shared.messaging.relay_wakeup import outbox_notice, watch_commits
from ankommen.shared.messaging.stall_watch import StallWatch
from ankommen.shared.messaging.tables import MessagingTables
from ankommen.shared.messaging.topics import Topic, TopicGuard
from ankommen.shared.settings import OutboxRelayMode, ServiceSettings, SettingsError
from ankommen.shared.telemetry import create_tracer_provider
from ankommen.shared.web.api_docs import install_api_docs, install_asyncapi
from ankommen.shared.web.hardening import harden
from ankommen.shared.web.health import health_router
from ankommen.shared.web.kept_forms import KeptForms
from ankommen.shared.web.oidc import ClaimMapping, OidcClient, OidcConfig
from ankommen.shared.web.pages import OidcSignIn, PageAuth, Pages, Reauthentication
from ankommen.shared.web.sessions import MemorySessionStore, PendingSignIns

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceDefinition(Generic[UnitT]):
    """What makes a service itself: its name, tables, migrations, the topics it writes and its
    unit of work (the one that owns its repositories)."""

    name: str
    title: str
    description: str
    metadata: MetaData
    tables: MessagingTables
    #: Alembic script location, e.g. ``ankommen.intake:migrations``.
    migrations: str
    #: A :class:`~ankommen.shared.messaging.topics.ProviderTopic` stands for that topic of every
    #: provider.
    publishes: tuple[Topic, ...] = ()
    unit_of_work: type[UnitT] = UnitOfWork  # pyright: ignore[reportAssignmentType]  # UnitT defaults to it


def token_verifier(settings: ServiceSettings) -> TokenVerifier:
    """The issuer's public keys from the settings; a key that cannot be used stops the start
    (a service that cannot check tokens would refuse every request)."""
    try:
        verifier = TokenVerifier(load_public_keys(settings.resolved_token_public_key))
    except UnusableKey as error:
        raise SettingsError(f"{settings.service_name}: invalid configuration\n  "
                            f"{settings.env_name('token_public_key')}: {error}") from None
    logger.info("verifying tokens with the issuer's public keys",
                extra={"key_ids": verifier.key_ids})
    return verifier


def client_token_verifier(settings: ServiceSettings) -> JwksTokenVerifier | None:
    """The identity provider's client-credentials tokens (provider systems), when it is set."""
    if not settings.oidc_issuer:
        return None
    return JwksTokenVerifier(ClientTokenSettings(
        issuer=settings.oidc_issuer, audience=settings.oidc_api_audience,
        provider_id_claim=settings.oidc_provider_id_claim, role_claim=settings.oidc_role_claim,
        roles=tuple(settings.oidc_role_mapping.items())))


def service_clock(settings: ServiceSettings) -> Clock:
    """The system clock, or (development, ``ANKOMMEN_CLOCK_FILE``) the one a file moves."""
    return FileClock(settings.clock_file) if settings.clock_file else SystemClock()


#: The service's own settings class; the default lets shared code say ``ServiceRuntime`` alone
#: (``typing_extensions`` for PEP 696's defaults on Python 3.11).
SettingsT = TypeVar("SettingsT", bound=ServiceSettings, default=ServiceSettings)


class ServiceRuntime(Generic[SettingsT, UnitT]):
    """The running parts of one service process; ``ServiceRuntime[IntakeSettings]`` hands
    intake's code its own settings type, no casts or ``isinstance`` checks needed."""

    def __init__(self, definition: ServiceDefinition[UnitT], settings: SettingsT,
                 tracer_provider: TracerProvider | None = None,
                 clock: Clock | None = None) -> None:
        self.definition = definition
        #: "Now" and "today" for whatever the service decides by the calendar (intake: the
        #: day of registration; assignment: which courses run; monitoring: which periods are
        #: published) and for its audit and outbox timestamps; a test injects a movable clock,
        #: the embedded stack may follow a clock file (:func:`service_clock`).
        self.clock: Clock = clock or service_clock(settings)
        self.settings: SettingsT = settings
        self.tracer_provider = tracer_provider or create_tracer_provider(
            definition.name, settings.otlp_endpoint, settings.sample_ratio())
        self.engine = create_engine(settings.resolved_database_url,
                                    pool_size=settings.database_pool_size)
        self.sessions = session_factory(self.engine)
        # An in-memory SQLite database lives in its one connection: the writer's and the
        # one-hop reads' own connections would each see another, empty database.
        in_memory = is_in_memory(self.engine)
        #: The database's one writer for units that hand it their writes (group commit);
        #: ``None`` for an in-memory database, whose units write on their sessions.
        self.writer: GroupWriter | None = None if in_memory else GroupWriter.for_engine(
            self.engine, max_wait=settings.group_commit_max_wait_ms / 1000,
            max_units=settings.group_commit_max_units)
        #: SQLite files only: reads before a unit's first write, one hand-off each.
        self.reads = (OneHopReads(self.engine)
                      if self.engine.dialect.name == "sqlite" and not in_memory else None)
        self.uow = UnitOfWorkFactory(self.sessions, definition.tables,
                                     source=service_source(definition.name), clock=self.clock,
                                     writer=self.writer, reads=self.reads,
                                     unit_type=definition.unit_of_work)
        #: How every Kafka client of this service signs in (its own principal).
        self.kafka = kafka = settings.kafka
        #: The Kafka client id of every client of this service (broker, consumers, relay).
        self.client_id = f"ankommen-{definition.name}"
        self.broker = create_broker(kafka,
                                    client_id=self.client_id,
                                    kind=settings.kafka_broker_kind,
                                    tracer_provider=self.tracer_provider,
                                    metadata_max_age_ms=settings.kafka_metadata_max_age_ms)
        # Declared on the broker for the AsyncAPI document; the relay sends with its own producer.
        self.publishers = Publishers(self.broker, definition.publishes)
        self.relay_producer = RelayProducer(kafka,
                                            definition.publishes,
                                            client_id=self.client_id,
                                            kind=settings.kafka_broker_kind,
                                            tracer_provider=self.tracer_provider)
        self.topic_guard = TopicGuard(kafka, definition.publishes,
                                      create_missing_topics=settings.is_development)
        self.relay = OutboxRelay(self.sessions, definition.tables, self.relay_producer.send,
                                 service=definition.name, before_send=self.topic_guard.ensure,
                                 retention=timedelta(hours=settings.outbox_retention_hours),
                                 idle_interval=settings.outbox_relay_poll_seconds,
                                 send_wave=self.relay_producer.send_wave,
                                 recover=self.relay_producer.start)
        self.uow.on_commit_with_events(self.relay.wake)
        if (settings.outbox_relay is OutboxRelayMode.SEPARATE
                and self.engine.dialect.name == "postgresql"):
            self.uow.outbox_notice = outbox_notice(definition.name)
        self.auth = Authenticator(token_verifier(settings), client_token_verifier(settings))
        self._oidc: OidcSignIn | None = None
        #: Forms posted after a session ended, until their author signs in again.
        self._kept_forms: KeptForms | None = None
        self.consumers: list[EventConsumer[UnitT]] = []
        self._background: dict[str, Callable[[], Awaitable[None]]] = {}
        self._producer_connected = asyncio.Event()
        self._broker_connected = asyncio.Event()

    def page_auth(self, pages: Pages) -> PageAuth:
        """Sign-in for ``pages``: through the identity provider when the settings name one
        (``oidc_issuer``), else by pasted token; this service's cookie and rate limits."""
        if self._kept_forms is None:
            self._kept_forms = KeptForms(self.clock)
        return PageAuth(self.auth, pages, service=self.definition.name,
                        secure_cookies=self.settings.cookies_secure,
                        login_rate_limit=self.settings.login_rate_limit,
                        oidc=self._oidc_sign_in(), kept_forms=self._kept_forms)

    def _oidc_sign_in(self) -> OidcSignIn | None:
        """One client and one session store per service (all its page routers share them).
        Sessions expire by the service's clock: a test moves it; the demo's clock, moved on
        by months, ends them (the safe direction)."""
        settings = self.settings
        if not settings.oidc_issuer:
            return None
        if self._oidc is None:
            assert settings.oidc_client_id and settings.oidc_client_secret
            config = OidcConfig(
                issuer=settings.oidc_issuer, client_id=settings.oidc_client_id,
                client_secret=settings.oidc_client_secret.get_secret_value(),
                mapping=ClaimMapping(roles=dict(settings.oidc_role_mapping),
                                     role_claim=settings.oidc_role_claim,
                                     provider_id_claim=settings.oidc_provider_id_claim))
            self._oidc = OidcSignIn(
                client=OidcClient(config),
                sessions=MemorySessionStore(
                    self.clock, idle=timedelta(minutes=settings.session_idle_minutes),
                    absolute=timedelta(minutes=settings.session_absolute_minutes)),
                pending=PendingSignIns(self.clock),
                reauth=Reauthentication(
                    self.clock, timedelta(minutes=settings.reauth_minutes),
                    frozenset(settings.reauth_actions)) if settings.reauth_minutes else None)
        return self._oidc

    def consume(self, consumer: EventConsumer[UnitT]) -> None:
        consumer.subscribe(self.broker, **self.settings.consumer_group_options())
        self.topic_guard.require_dead_letters_of(consumer.topic)
        self.topic_guard.require_consumed(consumer.topic)
        consumer.before_dead_letter = self.topic_guard.ensure
        self.consumers.append(consumer)

    def run_in_background(self, name: str, job: Callable[[], Awaitable[None]]) -> None:
        """Run ``job`` while the service runs (started after the broker connection task,
        cancelled on the way out); ``job`` handles its own failures and repeats itself."""
        self._background[name] = job

    def group_id(self, purpose: str) -> str:
        """Explicit consumer group ids that name the service: ``ankommen.<service>.<purpose>``."""
        return f"ankommen.{self.definition.name}.{purpose}"

    def asyncapi(self, version: str = "0.1.0") -> dict[str, Any]:
        """The service's AsyncAPI document (:mod:`ankommen.shared.messaging.asyncapi`): what
        it publishes (its definition) and consumes (its consumers, so call it after they were
        added: build_runtime adds them)."""
        definition = self.definition
        return asyncapi_document(definition.name, title=definition.title,
                                 description=definition.description, version=version,
                                 client_id=self.client_id, publishes=definition.publishes,
                                 consumes=self.consumers, registry=registry)

    async def migrate(self) -> None:
        # Alembic only when migrating (~12 MB): the production profile migrates by
        # ``ankommen-<service> migrate``, and a relay never migrates (issue 21, B6).
        from ankommen.shared.db.migrations import upgrade

        await upgrade(self.engine, self.definition.migrations)

    async def database_ready(self) -> bool:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    async def broker_ready(self) -> bool:
        return self._broker_connected.is_set() and await self.broker.ping(1.0)

    async def _connect_broker(self) -> None:
        """Connect (the producers first, so the outbox can drain), then start the consumers.

        Joining the consumer groups can take many seconds; the outbox relay does not wait for it.
        """
        backoff = Backoff(initial=0.5, maximum=10.0)
        while True:
            try:
                await self.broker.connect()
                if self.settings.relays_in_web_process and self.definition.publishes:
                    await self.relay_producer.start()
                self._producer_connected.set()
                await self._create_consumed_topics()
                await self.broker.start()
            except Exception as error:  # keep serving HTTP; Kafka may come later
                await asyncio.sleep(await _unreachable(backoff, error, self.broker,
                                                       self.relay_producer))
                continue
            self._broker_connected.set()
            logger.info("broker connected")
            return

    async def _create_consumed_topics(self) -> None:
        """See :meth:`TopicGuard.ensure_consumed`; a failure (a principal without the right to
        create topics, say) leaves the consumers to start as they would have without it."""
        try:
            await self.topic_guard.ensure_consumed()
        except Exception as error:
            logger.warning("could not create the consumed topics; the consumers start anyway",
                           extra={"error": type(error).__name__})

    async def _watch_when_connected(self, consumer: EventConsumer[UnitT]) -> None:
        await self._broker_connected.wait()
        stall_after = self.settings.consumer_stall_seconds
        await StallWatch(consumer, stall_after=stall_after, interval=stall_after / 4).run()

    async def _relay_when_connected(self) -> None:
        await self._producer_connected.wait()
        await self.relay.run()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncGenerator[Self, None]:
        """Migrate (if configured), connect, relay; undo it all on the way out."""
        if self.settings.should_migrate_on_startup:
            await self.migrate()
        tasks = [asyncio.create_task(self._connect_broker(), name="broker-connect")]
        if self.settings.relays_in_web_process:
            tasks.append(asyncio.create_task(self._relay_when_connected(), name="outbox-relay"))
        tasks += [asyncio.create_task(_run_job(job), name=name)
                  for name, job in self._background.items()]
        tasks += [asyncio.create_task(self._watch_when_connected(consumer),
                                      name=f"stall-watch-{consumer.group_id}")
                  for consumer in self.consumers]
        try:
            yield self
        finally:
            for task in tasks:
                task.cancel()
            # Bounded: a relay cancelled while waiting for acknowledgements must not hold up
            # the shutdown; what it had not stamped is sent again after the restart.
            await asyncio.wait(tasks, timeout=10)
            await self._close()

    async def _close(self) -> None:
        """Stop the Kafka clients (a client never started stops quietly) and the engine."""
        for client in (self.broker, self.relay_producer):
            with contextlib.suppress(Exception):
                await client.stop()
        with contextlib.suppress(Exception):
            await self.topic_guard.close()
        if self.writer is not None:
            await self.writer.close()
        if self.reads is not None:
            await self.reads.close()
        await self.engine.dispose()

    async def relay_alone(self, stop: asyncio.Event) -> None:
        """Run only the outbox relay until ``stop`` is set (``ankommen-<service> relay``): its
        own connections and producer, woken by the commits of the web processes
        (:func:`~ankommen.shared.messaging.relay_wakeup.watch_commits`), never migrating —
        it waits for the outbox table the web process or ``migrate`` creates."""
        name = self.definition.name
        try:
            if not await self._outbox_exists_when(stop):
                return
            backoff = Backoff(initial=0.5, maximum=10.0)
            while not stop.is_set():
                try:
                    await self.relay_producer.start()
                    break
                except Exception as error:  # Kafka may come later
                    delay = await _unreachable(backoff, error, self.relay_producer)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), delay)
            if stop.is_set():
                return
            logger.info("outbox relay running", extra={"database": self.engine.dialect.name})
            relaying = asyncio.create_task(self.relay.run(stop), name="outbox-relay")
            watching = watch_commits(self.engine, name, self.relay.wake,
                                     outbox=self.definition.tables.outbox.name)
            tasks = [relaying, asyncio.create_task(watching, name="outbox-relay-wakeup")]
            stopping = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait([*tasks, stopping],
                                         return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                # The round under way ends and stamps what it sent (bounded): a relay stopped
                # on purpose leaves nothing for the next one to send twice.
                await asyncio.wait([relaying], timeout=10)
            for task in [*tasks, stopping]:
                task.cancel()
            # Bounded, as in running(): what was not stamped is sent again by the next relay.
            await asyncio.wait([*tasks, stopping], timeout=10)
            for task in done - {stopping}:
                task.result()  # a task that ended on its own failed: the process fails
        finally:
            await self._close()

    async def _outbox_exists_when(self, stop: asyncio.Event) -> bool:
        """Wait until the outbox table exists (or ``stop``); says whether it does."""
        outbox = self.definition.tables.outbox
        announced = False
        while not stop.is_set():
            try:
                async with self.engine.connect() as connection:
                    await connection.execute(outbox.select().limit(0))
                return True
            except Exception as error:  # not migrated yet, or the database not up yet
                if not announced:
                    logger.info("outbox relay waiting for the database and its outbox table",
                                extra={"error": type(error).__name__})
                    announced = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
        return False

    def create_app(self, routers: Sequence[APIRouter] = (), version: str = "0.1.0") -> FastAPI:
        @contextlib.asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncGenerator[None, None]:
            async with self.running():
                yield

        # FastAPI's own /docs and /redoc load their scripts from a CDN: ours are vendored.
        app = FastAPI(title=self.definition.title, description=self.definition.description,
                      version=version, lifespan=lifespan, docs_url=None, redoc_url=None)
        app.state.runtime = self
        install_problem_handlers(app)
        harden(app, secret=self.settings.csrf_secret.get_secret_value(),
               secure_cookies=self.settings.cookies_secure,
               max_body_size=self.settings.max_request_bytes,
               trusted_proxies=self.settings.trusted_proxy_networks)
        app.include_router(health_router(required={"database": self.database_ready},
                                         reported={"broker": self.broker_ready},
                                         details={"outbox_parked": self.relay.parked_count}))
        install_api_docs(app)
        install_asyncapi(app, lambda: self.asyncapi(version))
        for router in routers:
            app.include_router(router)
        FastAPIInstrumentor.instrument_app(app, tracer_provider=self.tracer_provider,
                                           excluded_urls="healthz,readyz")
        return app


class _Stoppable(Protocol):
    """A Kafka client: the broker, the relay's producer."""

    async def stop(self) -> None: ...


async def _run_job(job: Callable[[], Awaitable[None]]) -> None:
    """A background job as the coroutine ``asyncio.create_task`` wants."""
    await job()


async def _unreachable(backoff: Backoff, error: Exception, *clients: _Stoppable) -> float:
    """After a failed attempt to reach the broker: say so, stop the ``clients`` it started
    (half-started clients keep tasks and sockets); returns how long to wait before the next."""
    delay = backoff.next_delay()
    logger.warning("broker not reachable, retrying", extra={
        "error": type(error).__name__, "retry_in_s": delay})
    for client in clients:
        with contextlib.suppress(Exception):
            await client.stop()
    return delay
