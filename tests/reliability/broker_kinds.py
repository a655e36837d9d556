"""The two brokers a reliability test may run on, as the test's figures and services see them.

Most proofs use the session's Apache Kafka (the ``kafka`` fixture). The smoke set (tests
marked ``tansu``) runs again on the embedded Tansu broker, whose services must do without the
idempotent producer. A test that has to control its broker — the broker-outage test advertises
a proxy's port to every client — starts one of its own with :func:`dedicated_broker`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from ankommen.tools.apache_kafka import KafkaCluster
from ankommen.tools.embedded import EmbeddedBroker, free_port
from tests.support.brokers import APACHE_KAFKA, TANSU, kafka_description, tansu_description

NAMES = {APACHE_KAFKA: "Apache Kafka", TANSU: "Tansu"}


def description(kind: str) -> str:
    """Name and version of the broker of ``kind``, for the figures."""
    return tansu_description() if kind == TANSU else kafka_description()


def service_environment(kind: str) -> dict[str, str]:
    """What a service process needs on top of its settings to work with a broker of ``kind``."""
    return {"ANKOMMEN_KAFKA_BROKER_KIND": "tansu"} if kind == TANSU else {}


@contextlib.contextmanager
def dedicated_broker(kind: str, folder: Path, *, advertised_port: int) -> Iterator[int]:
    """A broker of ``kind`` for this test alone that tells clients to connect to
    ``advertised_port`` (e.g. a proxy in front of it); yields the port it really listens on."""
    if kind == TANSU:
        tansu = EmbeddedBroker("127.0.0.1", free_port(), log_file=folder / "tansu.log",
                               advertised_port=advertised_port).start()
        try:
            yield tansu.port
        finally:
            tansu.stop()
        return
    advertised = f"PLAINTEXT://127.0.0.1:{advertised_port}"
    cluster = KafkaCluster(folder / "kafka", extra={"advertised.listeners": advertised}).start()
    try:
        yield cluster.nodes[0].port
    finally:
        cluster.stop()
