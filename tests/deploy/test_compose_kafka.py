"""The production compose file's Kafka, started as compose would start it — secured.

No Docker engine: ``deploy/kafka/start.sh`` (the kafka container's entry point) runs here with
the kafka container's environment from docker-compose.yml, on the Apache Kafka of the tests
(``kafka-storage.sh`` and ``kafka-server-start.sh`` are shims onto its class path), with the
secrets ``ankommen kafka-secrets`` generates. Then ``ankommen topics create`` runs with the
topics job's environment, as ``User:admin``, and the services' principals are tried: the
broker must speak SASL_SSL, know each service by its own password, and refuse what its ACLs
do not allow. Addresses and secret paths are rewritten to local ones; nothing else is.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest
from aiokafka.errors import TopicAuthorizationFailedError
from typer.testing import CliRunner

from ankommen.shared.cli.main import app
from ankommen.shared.messaging.kafka_access import KafkaAccess
from ankommen.shared.messaging.kafka_secrets import ensure_secrets
from ankommen.shared.messaging.topics import CASES, PLACEMENTS, provider_reports_topic
from ankommen.tools.apache_kafka import (
    JVM_OPTIONS,
    MAIN_CLASS,
    STORAGE_TOOL,
    classpath,
    wait_until_serving,
)
from ankommen.tools.embedded import free_port
from tests.deploy.test_compose import ROOT, resolved_environment
from tests.support.brokers import connects, write_as

START_SCRIPT = ROOT / "deploy" / "kafka" / "start.sh"
#: The operator's ANKOMMEN_KAFKA_PROVIDERS (and ``kafka-secrets --provider``).
PROVIDERS = ["vhs-a"]


def shims(folder: Path) -> Path:
    """``kafka-storage.sh`` and ``kafka-server-start.sh`` as in the image, on our class path."""
    folder.mkdir()
    java = f"exec java {' '.join(JVM_OPTIONS)} -cp '{classpath()}'"
    for name, main in (("kafka-storage.sh", STORAGE_TOOL), ("kafka-server-start.sh", MAIN_CLASS)):
        (folder / name).write_text(f'#!/bin/sh\n{java} {main} "$@"\n')
        (folder / name).chmod(0o755)
    return folder


def local(value: str, secrets: Path, ports: dict[str, int], data: Path) -> str:
    """A compose value with container paths and addresses replaced by this machine's."""
    value = value.replace("/run/secrets/kafka_admin", str(secrets / "users" / "admin"))
    value = value.replace("/run/secrets/kafka_ca", str(secrets / "tls" / "ca.pem"))
    value = value.replace("/run/secrets/kafka_broker_pem", str(secrets / "tls" / "broker.pem"))
    value = value.replace("/var/lib/kafka/data", str(data))
    value = value.replace("kafka:9092", f"127.0.0.1:{ports['clients']}")
    value = value.replace("localhost:9093", f"127.0.0.1:{ports['controller']}")
    return value.replace("://:9092", f"://127.0.0.1:{ports['clients']}")


@pytest.fixture
def compose_kafka(tmp_path):  # noqa: ANN201
    secrets = tmp_path / "secrets"
    ensure_secrets(secrets, ["127.0.0.1"], PROVIDERS)
    ports = {"clients": free_port(), "controller": free_port()}
    environment = {name: local(value, secrets, ports, tmp_path / "data")
                   for name, value in resolved_environment("kafka").items()}
    environment.update(PATH=os.environ["PATH"], HOME=str(tmp_path),
                       CLUSTER_ID=resolved_environment("kafka")["CLUSTER_ID"],
                       ANKOMMEN_KAFKA_BIN=str(shims(tmp_path / "bin")))
    log = open(tmp_path / "broker.log", "wb")  # noqa: SIM115 - the broker's output
    broker = subprocess.Popen(["bash", str(START_SCRIPT)], env=environment, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield secrets, f"127.0.0.1:{ports['clients']}", tmp_path / "broker.log"
    finally:
        broker.terminate()
        try:
            broker.wait(30)
        except subprocess.TimeoutExpired:
            broker.kill()
        log.close()


async def test_compose_kafka_authenticates_and_authorises_each_service(compose_kafka,
                                                                      monkeypatch):
    secrets, bootstrap, log = compose_kafka
    users = {path.name: path.read_text().strip() for path in (secrets / "users").iterdir()}
    ca = secrets / "tls" / "ca.pem"
    admin = KafkaAccess(bootstrap, "admin", users["admin"], ca)
    try:
        await wait_until_serving(admin, within=90)
    except Exception:
        pytest.fail(f"the broker does not serve: {log.read_text(errors='replace')[-3000:]}")

    # The topics job, with its compose environment (secret paths made local).
    for name in list(os.environ):
        if name.startswith("ANKOMMEN_"):
            monkeypatch.delenv(name)
    for name, value in resolved_environment("topics").items():
        monkeypatch.setenv(name, value.replace("kafka:9092", bootstrap)
                           .replace("/run/secrets/kafka_admin", str(secrets / "users" / "admin"))
                           .replace("/run/secrets/kafka_ca", str(ca))
                           .replace("/run/kafka-users", str(secrets / "users")))
    monkeypatch.setenv("ANKOMMEN_KAFKA_PROVIDERS", ",".join(PROVIDERS))
    result = await asyncio.to_thread(CliRunner().invoke, app, ["topics", "create"])
    assert result.exit_code == 0, result.output

    intake = KafkaAccess(bootstrap, "intake", users["intake"], ca)
    await write_as(intake, CASES.name)
    with pytest.raises(TopicAuthorizationFailedError):
        await write_as(intake, PLACEMENTS.name)
    assert not await connects(KafkaAccess(bootstrap, "intake", "guessed", ca))
    assert not await connects(KafkaAccess(bootstrap, "intake", users["intake"]))  # no TLS

    # One run made the listed provider's topics, its principal and its ACLs.
    provider = KafkaAccess(bootstrap, "provider-vhs-a", users["provider-vhs-a"], ca)
    await write_as(provider, provider_reports_topic("vhs-a").name)
    with pytest.raises(TopicAuthorizationFailedError):
        await write_as(provider, CASES.name)
