"""The Kafka ACL plan: least privilege, derived from the topic plan and the services' wiring.

The broker enforces these ACLs (tests/shared/integration/test_kafka_authorisation.py shows it
refusing); here the plan itself is checked: no principal may write a topic it does not own,
and the plan describes what the services really publish and consume.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from ankommen.shared.messaging.kafka_access import KafkaAccess, client_options
from ankommen.shared.messaging.kafka_acls import (
    SERVICES,
    WIRING,
    Grant,
    Operation,
    Pattern,
    Resource,
    acl_plan,
    ensure_credentials,
    may,
    read_credentials,
)
from ankommen.shared.messaging.topics import (
    FACTS,
    TOPICS,
    ProviderTopic,
    provider_rejections_topic,
    provider_reports_topic,
    topic_plan,
)
from tests.support.services import settings_for

PROVIDERS = ("vhs-a", "vhs-b")
PLAN = acl_plan(PROVIDERS)
#: Every topic of a deployment with these providers, dead letters included.
EVERY_TOPIC = list(topic_plan(providers=PROVIDERS))


def owner(topic: str) -> str:
    """The service or provider a topic belongs to by its name."""
    parts = topic.split(".")
    if parts[1] == "provider" and len(parts) >= 4:
        return f"provider-{parts[2]}"
    return parts[1]


def consumed_by(service: str) -> set[str]:
    return {topic.name for topic in WIRING[service].consumes
            if not isinstance(topic, ProviderTopic)}


def may_write(user: str, topic: str) -> bool:
    """Why ``user`` may write ``topic``: it owns it; or it is a dead letter of a topic it
    consumes; or the facts topic (fed by the case services); or the rejections of a provider's
    reports (progress's answer)."""
    base = topic.removesuffix(".dlq")
    return (owner(topic) == user and not topic.endswith(".dlq")
            or (topic.endswith(".dlq") and (base in consumed_by(user) if user in SERVICES
                                            else False))
            or (topic.endswith(".dlq") and user == "progress"
                and base.startswith("ankommen.provider.") and base.endswith(".reports"))
            or (topic == FACTS.name and user in ("intake", "assignment", "progress"))
            or (user == "progress" and topic.startswith("ankommen.provider.")
                and topic.endswith(".rejections")))


@pytest.mark.parametrize("user", [*SERVICES, "provider-vhs-a", "provider-vhs-b"])
def test_no_principal_may_write_a_topic_it_does_not_own(user):
    for topic in EVERY_TOPIC:
        if may(PLAN, user, Operation.WRITE, topic):
            assert may_write(user, topic), f"{user} may write {topic}"


def test_monitoring_writes_nothing_but_its_own_dead_letters():
    written = [topic for topic in EVERY_TOPIC if may(PLAN, "monitoring", Operation.WRITE, topic)]
    assert written == [FACTS.dead_letter]


def test_a_provider_writes_only_its_own_reports_and_reads_only_its_own_rejections():
    user = "provider-vhs-a"
    assert [topic for topic in EVERY_TOPIC if may(PLAN, user, Operation.WRITE, topic)
            ] == [provider_reports_topic("vhs-a").name]
    assert [topic for topic in EVERY_TOPIC if may(PLAN, user, Operation.READ, topic)
            ] == [provider_rejections_topic("vhs-a").name]
    groups = [grant for grant in PLAN if grant.user == user
              and grant.resource is Resource.GROUP]
    assert groups == [Grant(user, Resource.GROUP, user, Pattern.PREFIXED, Operation.READ)]


def test_progress_answers_every_provider_and_dead_letters_its_reports():
    """Progress reads every provider's reports (by prefix: a provider added later needs no
    new grant for it) and writes each provider's rejections and report dead letters."""
    for provider in PROVIDERS:
        reports, rejections = provider_reports_topic(provider), provider_rejections_topic(
            provider)
        assert may(PLAN, "progress", Operation.READ, reports.name)
        assert may(PLAN, "progress", Operation.WRITE, rejections.name)
        assert may(PLAN, "progress", Operation.WRITE, reports.dead_letter)
        assert not may(PLAN, "progress", Operation.WRITE, reports.name)
    # No grant names a template ("{provider_id}"): those are not topics.
    assert not [grant for grant in PLAN if "{" in grant.name]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_reads_only_what_it_consumes_and_its_own_groups(service):
    read = {topic for topic in EVERY_TOPIC if may(PLAN, service, Operation.READ, topic)}
    provider_topics = {topic for topic in read if topic.startswith("ankommen.provider.")}
    assert read - provider_topics == consumed_by(service) - provider_topics
    assert not provider_topics or service == "progress"
    groups = {grant.name for grant in PLAN if grant.user == service
              and grant.resource is Resource.GROUP}
    assert groups == {f"ankommen.{service}."}


def test_what_a_service_publishes_is_read_and_what_it_consumes_is_written():
    """Least privilege must not cut a stream: the provider channel's topics are written by
    the providers' own systems (their principals), the others by a service."""
    for topic in TOPICS:
        assert any(may(PLAN, user, Operation.READ, topic.name) for user in SERVICES), topic
        if not topic.name.startswith("ankommen.provider."):
            assert any(may(PLAN, user, Operation.WRITE, topic.name) for user in SERVICES), topic


@pytest.mark.parametrize("service", SERVICES)
def test_the_plan_wires_each_service_as_its_app_does(service, tmp_path):
    """The ACLs are derived from WIRING; the services declare the same themselves. A new
    consumer or publisher that WIRING misses would be refused by the broker: caught here."""
    app_module = importlib.import_module(f"ankommen.{service}.app")
    config = settings_for(service, database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite")
    runtime = app_module.create_app(config).state.runtime
    assert set(runtime.definition.publishes) == set(WIRING[service].publishes)
    assert {consumer.topic for consumer in runtime.consumers} == set(WIRING[service].consumes)
    assert all(consumer.group_id.startswith(f"ankommen.{service}.")
               for consumer in runtime.consumers)


def test_generated_passwords_are_kept_private_and_reused(tmp_path):
    folder = tmp_path / "credentials"
    first = ensure_credentials(folder, ["admin", "intake", "provider-a"])
    assert ensure_credentials(folder, ["admin", "intake", "provider-a"]) == first
    assert len(set(first.values())) == 3 and all(len(value) >= 32 for value in first.values())
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert {oct((folder / user).stat().st_mode & 0o777) for user in first} == {"0o600"}
    assert read_credentials(folder) == first


def test_client_options_carry_the_principal_and_tls(tmp_path):
    assert client_options("k:9092") == {"bootstrap_servers": "k:9092",
                                        "security_protocol": "PLAINTEXT"}
    options = client_options(KafkaAccess("k:9092", "intake", "secret"))
    assert (options["security_protocol"], options["sasl_mechanism"],
            options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "SASL_PLAINTEXT", "SCRAM-SHA-512", "intake", "secret")
    assert "secret" not in repr(KafkaAccess("k:9092", "intake", "secret"))


def test_the_topic_matrix_in_the_docs_is_the_plan():
    """docs/authorization.md's Kafka table says who may write and read each topic: the plan
    for provider ``vhs-a`` (and ``vhs-b`` as any other provider)."""
    document = Path(__file__).parents[3] / "docs" / "authorization.md"
    section = document.read_text(encoding="utf-8").split("## Kafka topics")[1]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    users = [cell.strip() for cell in lines[0].strip("|").split("|")][1:]
    plan = acl_plan(["vhs-a"])
    rows = 0
    for line in lines[1:]:
        topic, *cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        for user, cell in zip(users, cells, strict=True):
            granted = {operation for operation in ("write", "read")
                       if may(plan, user, Operation(operation), topic)}
            assert granted == ({part.strip() for part in cell.split(",")} - {"—"}), (
                f"{user} on {topic}: the docs say {cell!r}")
        rows += 1
    assert {*topic_plan(providers=["vhs-a"])} <= {
        line.strip("|").split("|")[0].strip().strip("`") for line in lines[1:]}
    assert rows > len(topic_plan())
