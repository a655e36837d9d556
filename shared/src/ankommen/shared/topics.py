"""Every Kafka topic of ankommen, in one place: name, partitions, dead-letter topic.

Topic names follow ``ankommen.<owning service>.<stream>``; a topic's dead letters go to
``<topic>.dlq``. Case topics are keyed by the case pseudonym, so partitions give ordering per
case and parallelism across cases. The facts topic is owned by monitoring: it is the contract of
what monitoring may see, and the only topic it is allowed to read.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

DEAD_LETTER_SUFFIX = ".dlq"
TOPIC_ALREADY_EXISTS = 36


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    description: str

    @property
    def dead_letter(self) -> str:
        return f"{self.name}{DEAD_LETTER_SUFFIX}"


CASES = Topic(
    "ankommen.intake.cases", 6,
    "Case events from intake, keyed by case pseudonym (CaseRegistered …).",
)
FACTS = Topic(
    "ankommen.monitoring.facts", 6,
    "De-identified facts for monitoring: coarse attributes and a random record key, never a "
    "pseudonym. The only topic monitoring reads.",
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
PROVIDER_REPORTS = Topic(
    "ankommen.provider.reports", 6,
    "Reports that course providers' own systems send, keyed by referral code. Untrusted "
    "input: progress validates every message.",
)
PROVIDER_REJECTIONS = Topic(
    "ankommen.provider.rejections", 6,
    "Provider reports that progress refused, with the reason, keyed by referral code, so the "
    "provider's system can react.",
)

TOPICS: tuple[Topic, ...] = (CASES, COURSES, PLACEMENTS, PARTICIPATION, PROVIDER_REPORTS,
                             PROVIDER_REJECTIONS, FACTS)
#: Dead-letter topics have one partition: they are read by people, rarely and in order.
DEAD_LETTER_PARTITIONS = 1


def topic_plan(topics: tuple[Topic, ...] = TOPICS) -> dict[str, int]:
    """Every topic to create, with its partition count, dead-letter topics included."""
    plan = {}
    for topic in topics:
        plan[topic.name] = topic.partitions
        plan[topic.dead_letter] = DEAD_LETTER_PARTITIONS
    return plan


async def create_missing(admin: AIOKafkaAdminClient, plan: dict[str, int],
                         replication_factor: int = 1) -> list[str]:
    """Create the topics of ``plan`` that do not exist; returns those created."""
    if not plan:
        return []
    response = await admin.create_topics(
        [NewTopic(name, partitions, replication_factor) for name, partitions in plan.items()]
    )
    created, failures = [], []
    for name, code, *rest in response.topic_errors:
        if code == 0:
            created.append(name)
        elif code != TOPIC_ALREADY_EXISTS:
            failures.append(f"{name}: error {code} {rest[0] if rest else ''}".strip())
    if failures:
        raise RuntimeError("could not create topics: " + "; ".join(failures))
    return created


async def create_topics(bootstrap_servers: str, replication_factor: int = 1) -> list[str]:
    """Create every missing topic; existing ones are left as they are. Returns those created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        return await create_missing(admin, topic_plan(), replication_factor)
    finally:
        await admin.close()


class TopicGuard:
    """Checks, right before the outbox relay sends, that its topics exist.

    A produce request to a topic that does not exist must never count as delivered. Kafka
    refuses it; the embedded in-memory broker, after a restart, acknowledges it and keeps
    nothing. So the relay asks first (a metadata request for all topics, which creates none).
    In the development profile a missing topic is created from the plan; in production that
    is the operator's job (``ankommen topics create``) and the relay waits, saying which
    topic is missing.
    """

    def __init__(self, bootstrap_servers: str, topics: tuple[Topic, ...], *,
                 create_missing_topics: bool) -> None:
        self._bootstrap = bootstrap_servers
        self._plan = {topic.name: topic.partitions for topic in topics}
        self._create = create_missing_topics
        self._admin: AIOKafkaAdminClient | None = None

    def require(self, name: str, partitions: int) -> None:
        """Guard one more topic (e.g. the dead-letter topic of a consumed topic)."""
        self._plan[name] = partitions

    async def ensure(self) -> None:
        if self._admin is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
            await admin.start()
            self._admin = admin
        existing = set(await self._admin.list_topics())
        missing = {name: count for name, count in self._plan.items() if name not in existing}
        if not missing:
            return
        if not self._create:
            raise LookupError(f"topics missing: {', '.join(missing)} (run ankommen topics create)")
        await create_missing(self._admin, missing)

    async def close(self) -> None:
        if self._admin is not None:
            await self._admin.close()
            self._admin = None
