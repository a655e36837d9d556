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

TOPICS: tuple[Topic, ...] = (CASES, FACTS)
#: Dead-letter topics have one partition: they are read by people, rarely and in order.
DEAD_LETTER_PARTITIONS = 1


def topic_plan(topics: tuple[Topic, ...] = TOPICS) -> dict[str, int]:
    """Every topic to create, with its partition count, dead-letter topics included."""
    plan = {}
    for topic in topics:
        plan[topic.name] = topic.partitions
        plan[topic.dead_letter] = DEAD_LETTER_PARTITIONS
    return plan


async def create_topics(bootstrap_servers: str, replication_factor: int = 1) -> list[str]:
    """Create every missing topic; existing ones are left as they are. Returns those created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        plan = topic_plan()
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
    finally:
        await admin.close()
