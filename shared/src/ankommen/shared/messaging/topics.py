"""Every Kafka topic of ankommen, in one place: name, partitions, retention, dead-letter topic.

Topic names follow ``ankommen.<owning service>.<stream>``; a topic's dead letters go to
``<topic>.dlq``. Case topics are keyed by the case pseudonym, so partitions give ordering per
case and parallelism across cases. The facts topic is owned by monitoring: it is the contract of
what monitoring may see, and the only topic it is allowed to read.

Each provider whose own system reports over Kafka (``ANKOMMEN_KAFKA_PROVIDERS``) has a pair of
topics of its own, ``ankommen.provider.<provider_id>.reports`` and ``….rejections``
(:class:`ProviderTopic`): the broker can bind a principal to a topic but not to what a message
says, so the topic is what tells one provider's reports from another's.

The topic settings a production cluster needs are part of the plan rather than the broker's
defaults, which an operator may have changed: how long each topic keeps its messages (with the
reason, :class:`Retention`), how many replicas must have a message before it counts as written
(``min.insync.replicas``, from the replication factor) and that a replica that missed messages
never becomes leader (``unclean.leader.election.enable=false``). See :func:`topic_configs`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, cast

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from ankommen.shared.messaging.kafka_access import KafkaAccess, client_options

DEAD_LETTER_SUFFIX = ".dlq"
TOPIC_ALREADY_EXISTS = 36
DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Retention:
    """How long Kafka keeps a topic's messages (``retention.ms``; -1: for ever), and why."""

    ms: int
    reason: str


#: Events between services. The consumers keep the state (their databases and inboxes), so Kafka
#: only has to hold an event until every consumer group has it, even after an outage of a
#: consumer over a long weekend. The events carry pseudonyms and survey answers, which an
#: erasure cannot reach inside Kafka: so not longer than the outbox keeps its published rows
#: (``OUTBOX_RETENTION_HOURS``, 7 days).
IN_TRANSIT = Retention(7 * DAY_MS, "in transit between services; consumers keep the state; "
                                   "pseudonymised personal data, as long as the outbox keeps it")
#: The facts topic is monitoring's source of truth: ``ankommen-monitoring rebuild`` replays it
#: from offset 0, so a deleted fact would be missing from every rebuilt figure. Facts name no
#: person (coarse attributes, a random record key), so keeping them is allowed.
FOR_EVER = Retention(-1, "monitoring's source of truth: ankommen-monitoring rebuild replays "
                         "it from offset 0; facts name no person")
#: Rejections are read by the providers' own systems, which may be offline longer than ours.
PROVIDER_FEEDBACK = Retention(14 * DAY_MS, "read by the providers' own systems, which may be "
                                           "offline longer than ours")
#: Dead letters are read by people, rarely: long enough to notice one after a holiday and
#: investigate it; bounded, because a dead letter may hold a pseudonym.
DEAD_LETTERS = Retention(30 * DAY_MS, "read by people after an alert or a holiday; may hold "
                                      "a pseudonym, so bounded")


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    description: str
    retention: Retention = IN_TRANSIT
    #: Whether nothing on a message may link it to the request or event that caused it: its
    #: messages carry no trace context, and their record timestamp is the envelope ``time``
    #: the producer set (a fact's month start), not the moment of sending
    #: (:class:`ankommen.shared.messaging.producer.RelayProducer`).
    unlinkable: bool = False

    @property
    def dead_letter(self) -> str:
        return f"{self.name}{DEAD_LETTER_SUFFIX}"

    @property
    def pattern(self) -> str | None:
        """One topic, subscribed by name (a :class:`ProviderTopic` has a pattern)."""
        return None


CASES = Topic(
    "ankommen.intake.cases", 6,
    "Case events from intake, keyed by case pseudonym (CaseRegistered …).",
)
FACTS = Topic(
    "ankommen.monitoring.facts", 6,
    "De-identified facts for monitoring: coarse attributes and a random record key, never a "
    "pseudonym. The only topic monitoring reads.",
    retention=FOR_EVER,
    unlinkable=True,
)

COURSES = Topic(
    "ankommen.assignment.courses", 3,
    "Course catalogue events from assignment, keyed by course id (CoursePublished …).",
)
PLACEMENTS = Topic(
    "ankommen.assignment.placements", 6,
    "Placement and waiting-list events from assignment, keyed by case pseudonym.",
)
PARTICIPATION = Topic(
    "ankommen.progress.participation", 6,
    "Validated progress of participants (enrolment, attendance, exams, completion) from "
    "progress, keyed by case pseudonym.",
)
#: A provider's id, as it appears in its topics' names, its envelope ``source`` and its
#: principal (``User:provider-<provider_id>``): lower case, digits, ``-`` and ``_``, no dot
#: (a dot would let one provider's id reach into another's topic name).
PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
#: Stands for the provider's id in the name of a :class:`ProviderTopic`.
PROVIDER_ID_PLACEHOLDER = "{provider_id}"


@dataclass(frozen=True)
class ProviderTopic(Topic):
    """A kind of topic each provider has one of: ``ankommen.provider.<provider_id>.<stream>``.

    Kafka's ACLs decide who may write a topic, never what a message may say. So a provider
    is not named by its messages but by its topic: its principal may write only its own
    reports topic and read only its own rejections topic, and progress attributes a report
    to the provider in the topic's name (:meth:`provider_of`). ``name`` is the template
    (``{provider_id}`` in it, no topic Kafka would create), for documentation; :meth:`of` is
    one provider's topic; :attr:`pattern` matches every provider's, which is how progress
    subscribes, so that a provider added later is consumed without a restart.
    """

    @property
    def pattern(self) -> str:
        """The regular expression (Python's ``re``, anchored) of every provider's topic of
        this kind — and of no other topic: not its dead-letter topic, nor another kind's.
        The id part is :data:`PROVIDER_ID`'s (its ``{1,39}`` is no FastStream path
        parameter, which would be a bare ``{name}``)."""
        prefix, _, suffix = self.name.partition(PROVIDER_ID_PLACEHOLDER)
        return (f"^{re.escape(prefix)}(?P<provider_id>{PROVIDER_ID.pattern.strip('^$')})"
                f"{re.escape(suffix)}$")

    def of(self, provider_id: str) -> Topic:
        """This kind's topic of ``provider_id`` (a :data:`PROVIDER_ID`, else ValueError)."""
        if not PROVIDER_ID.match(provider_id):
            raise ValueError(f"not a provider id: {provider_id!r} (lower case letters, "
                             "digits, - and _; 2 to 40 characters)")
        return Topic(self.name.replace(PROVIDER_ID_PLACEHOLDER, provider_id), self.partitions,
                     self.description, self.retention)

    def provider_of(self, topic: str) -> str | None:
        """The provider whose topic of this kind ``topic`` is; ``None`` for any other."""
        found = re.match(self.pattern, topic)
        return None if found is None else found["provider_id"]


PROVIDER_REPORTS = ProviderTopic(
    "ankommen.provider.{provider_id}.reports", 6,
    "Reports that one course provider's own system sends, keyed by referral code; only "
    "that provider's principal may write it. Untrusted input: progress validates every "
    "message and attributes it to the provider in the topic's name.",
)
PROVIDER_REJECTIONS = ProviderTopic(
    "ankommen.provider.{provider_id}.rejections", 6,
    "That provider's reports that progress refused, with the reason, keyed by referral "
    "code, so the provider's system can react; only that provider's principal may read it.",
    retention=PROVIDER_FEEDBACK,
)
#: The topics each provider has.
PROVIDER_TOPICS: tuple[ProviderTopic, ...] = (PROVIDER_REPORTS, PROVIDER_REJECTIONS)
#: The pattern progress subscribes to the providers' reports with.
PROVIDER_REPORTS_PATTERN = PROVIDER_REPORTS.pattern


def provider_reports_topic(provider_id: str) -> Topic:
    """``ankommen.provider.<provider_id>.reports``: the provider writes, progress reads."""
    return PROVIDER_REPORTS.of(provider_id)


def provider_rejections_topic(provider_id: str) -> Topic:
    """``ankommen.provider.<provider_id>.rejections``: progress writes, the provider reads."""
    return PROVIDER_REJECTIONS.of(provider_id)


def provider_topics(provider_ids: Iterable[str]) -> tuple[Topic, ...]:
    """Every topic of these providers (their dead-letter topics come with the plan)."""
    return tuple(kind.of(provider_id) for provider_id in dict.fromkeys(provider_ids)
                 for kind in PROVIDER_TOPICS)


TOPICS: tuple[Topic, ...] = (CASES, COURSES, PLACEMENTS, PARTICIPATION, FACTS)
#: Dead-letter topics have one partition: they are read by people, rarely and in order.
DEAD_LETTER_PARTITIONS = 1


def topic_plan(topics: tuple[Topic, ...] = TOPICS, providers: Iterable[str] = ()
               ) -> dict[str, int]:
    """Every topic to create, with its partition count, dead-letter topics included: those
    of ``topics`` and each of ``providers``' own (:func:`provider_topics`)."""
    plan: dict[str, int] = {}
    for topic in (*topics, *provider_topics(providers)):
        plan[topic.name] = topic.partitions
        plan[topic.dead_letter] = DEAD_LETTER_PARTITIONS
    return plan


def retention_of(name: str) -> Retention | None:
    """The planned retention of topic ``name`` (``None`` for a topic outside the plan); any
    provider's topics have their kind's."""
    for topic in TOPICS:
        if name == topic.name:
            return topic.retention
        if name == topic.dead_letter:
            return DEAD_LETTERS
    for kind in PROVIDER_TOPICS:
        if kind.provider_of(name) is not None:
            return kind.retention
        if kind.provider_of(name.removesuffix(DEAD_LETTER_SUFFIX)) is not None:
            return DEAD_LETTERS
    return None


def min_insync_replicas(replication_factor: int) -> int:
    """Replicas that must have a message before the broker acknowledges it (``acks=all``).

    Two of three: a write survives the loss of any one broker, and one broker may be down
    (a crash, a rolling upgrade) while writes go on. Never all replicas (one broker down would
    stop every write) and never more than exist (a single node)."""
    return max(1, min(2, replication_factor - 1))


def topic_configs(name: str, replication_factor: int = 1) -> dict[str, str]:
    """The topic-level settings ``name`` is created with on a cluster of this replication."""
    configs = {
        "min.insync.replicas": str(min_insync_replicas(replication_factor)),
        # A replica that missed acknowledged messages never becomes leader: availability
        # waits for an in-sync replica rather than losing what was acknowledged.
        "unclean.leader.election.enable": "false",
    }
    retention = retention_of(name)
    if retention is not None:
        configs.update({"cleanup.policy": "delete", "retention.ms": str(retention.ms),
                        # Time decides, never size (stated, so that a broker-wide size
                        # limit cannot delete facts).
                        "retention.bytes": "-1"})
    if _unlinkable(name):
        # The producer's timestamp (a fact's month start), never the broker's clock at the
        # append: LogAppendTime would stamp each fact with the millisecond it was sent, which
        # links it to its case event again. Stated, so that a broker-wide LogAppendTime
        # cannot apply. (Old timestamps are accepted: message.timestamp.before.max.ms is
        # unlimited by default; retention is for ever, so old timestamps delete nothing.)
        configs["message.timestamp.type"] = "CreateTime"
    return configs


def _unlinkable(name: str) -> bool:
    return any(name == topic.name and topic.unlinkable for topic in TOPICS)


class _CreateTopicsResponse(Protocol):
    """aiokafka's (untyped) answer to CreateTopics: per topic its name, error code and, from
    version 1 of the request, an error message."""

    topic_errors: list[tuple[str, int, *tuple[str | None, ...]]]


async def create_missing(admin: AIOKafkaAdminClient, plan: dict[str, int],
                         replication_factor: int = 1) -> list[str]:
    """Create the topics of ``plan`` that do not exist, with their :func:`topic_configs`;
    returns those created."""
    if not plan:
        return []
    response = cast(_CreateTopicsResponse, await admin.create_topics(
        [NewTopic(name, partitions, replication_factor,
                  topic_configs=topic_configs(name, replication_factor))
         for name, partitions in plan.items()]
    ))
    created: list[str] = []
    failures: list[str] = []
    for name, code, *rest in response.topic_errors:
        if code == 0:
            created.append(name)
        elif code != TOPIC_ALREADY_EXISTS:
            failures.append(f"{name}: error {code} {rest[0] if rest else ''}".strip())
    if failures:
        raise RuntimeError("could not create topics: " + "; ".join(failures))
    return created


async def create_topics(bootstrap_servers: str | KafkaAccess, replication_factor: int = 1,
                        providers: Iterable[str] = ()) -> list[str]:
    """Create every missing topic, ``providers``' own included; existing ones are left as
    they are. Returns those created."""
    admin = AIOKafkaAdminClient(**client_options(bootstrap_servers))
    await admin.start()
    try:
        return await create_missing(admin, topic_plan(providers=providers), replication_factor)
    finally:
        await admin.close()


async def differences_from_plan(bootstrap_servers: str | KafkaAccess,
                                replication_factor: int = 1,
                                providers: Iterable[str] = ()) -> dict[str, list[str]]:
    """What existing topics have other than planned: their replication factor and each
    :func:`topic_configs` value (e.g. a facts topic created before its retention was planned,
    whose facts Kafka would delete after a week). Only reported, never changed: altering a
    live topic is the operator's decision. Topics that do not exist are not listed."""
    admin = AIOKafkaAdminClient(**client_options(bootstrap_servers))
    await admin.start()
    try:
        names = [name for name in topic_plan(providers=providers)
                 if name in set(await admin.list_topics())]
        if not names:
            return {}
        replicas = {topic["topic"]: {len(partition["replicas"])
                                     for partition in topic["partitions"]}
                    for topic in await admin.describe_topics(names)}
        described = await admin.describe_configs([
            ConfigResource(ConfigResourceType.TOPIC, name,
                           configs=dict.fromkeys(topic_configs(name, replication_factor)))
            for name in names])
    finally:
        await admin.close()
    actual = {resource["resource_name"]: {entry["config_names"]: entry["config_value"]
                                          for entry in resource["config_entries"]}
              for response in described for resource in response.to_object()["resources"]}
    found: dict[str, list[str]] = {}
    for name in names:
        problems = [f"replication factor {count}, planned {replication_factor}"
                    for count in sorted(replicas.get(name, set()))
                    if count != replication_factor]
        problems += [f"{key}={actual.get(name, {}).get(key)}, planned {wanted}"
                     for key, wanted in topic_configs(name, replication_factor).items()
                     if actual.get(name, {}).get(key) != wanted]
        if problems:
            found[name] = problems
    return found


class TopicGuard:
    """Checks, right before the outbox relay sends, that its topics exist.

    A produce request to a topic that does not exist must never count as delivered. Kafka
    refuses it; the embedded in-memory broker, after a restart, acknowledges it and keeps
    nothing. So the relay asks first (a metadata request for all topics, which creates none).
    In the development profile a missing topic is created from the plan; in production that
    is the operator's job (``ankommen topics create``) and the relay waits, saying which
    topic is missing.

    A :class:`ProviderTopic` (progress writes every provider's rejections) is guarded for
    each provider whose reports topic exists: that is the provider progress may have to
    answer, and ``ankommen topics create`` makes a provider's topics together.
    """

    def __init__(self, bootstrap_servers: str | KafkaAccess, topics: tuple[Topic, ...], *,
                 create_missing_topics: bool) -> None:
        self._bootstrap = bootstrap_servers
        self._plan = {topic.name: topic.partitions for topic in topics
                      if not isinstance(topic, ProviderTopic)}
        self._per_provider = {topic.name: topic.partitions for topic in topics
                              if isinstance(topic, ProviderTopic)}
        self._create = create_missing_topics
        self._consumed: dict[str, int] = {}
        self._admin: AIOKafkaAdminClient | None = None

    def require_consumed(self, topic: Topic) -> None:
        """Remember a topic a consumer of the service reads (see :meth:`ensure_consumed`)."""
        if not isinstance(topic, ProviderTopic):  # a pattern: each provider's topics are
            self._consumed[topic.name] = topic.partitions  # made by ``ankommen topics create``

    async def ensure_consumed(self) -> None:
        """In development, create the consumed topics that are missing, before the consumers
        start.

        The embedded broker invents a topic, with its own partition count, for any client
        that asks for its metadata — a consumer starting before the topic's producer created
        it, or running on when the in-memory broker restarted empty. If that happens while
        the producer creates it with the planned count, the consumer may be given fewer
        partitions than the producer sends to, and the embedded broker never hands it the
        rest: what the relay sends there is read by nobody. A consumer that starts after
        its own service created the topic from the plan cannot start that race. (Apache
        Kafka invents nothing, ``auto.create.topics.enable=false``; in production creating
        topics is the operator's job, and a consumer waits for its topic.)"""
        if not self._create:
            return
        admin = await self._admin_client()
        existing = set(await admin.list_topics())
        await create_missing(admin, {name: count for name, count in self._consumed.items()
                                     if name not in existing})

    def require_dead_letters_of(self, topic: Topic) -> None:
        """Guard the dead-letter topic of a consumed ``topic`` too — for a
        :class:`ProviderTopic`, that of every provider that has a reports topic."""
        wanted = self._per_provider if isinstance(topic, ProviderTopic) else self._plan
        wanted[topic.dead_letter] = DEAD_LETTER_PARTITIONS

    def _wanted(self, existing: set[str]) -> dict[str, int]:
        plan = dict(self._plan)
        providers = {found for name in existing
                     if (found := PROVIDER_REPORTS.provider_of(name)) is not None}
        for provider_id in sorted(providers):
            for template, partitions in self._per_provider.items():
                plan[template.format(provider_id=provider_id)] = partitions
        return plan

    async def ensure(self) -> None:
        admin = await self._admin_client()
        existing = set(await admin.list_topics())
        missing = {name: count for name, count in self._wanted(existing).items()
                   if name not in existing}
        if not missing:
            return
        if not self._create:
            raise LookupError(f"topics missing: {', '.join(missing)} (run ankommen topics create)")
        await create_missing(admin, missing)

    async def _admin_client(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            admin = AIOKafkaAdminClient(**client_options(self._bootstrap))
            await admin.start()
            self._admin = admin
        return self._admin

    async def close(self) -> None:
        if self._admin is not None:
            await self._admin.close()
            self._admin = None
