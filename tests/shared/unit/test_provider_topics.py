"""Each provider's own topics: names, the pattern progress subscribes with, the plan, who may
be sent what — the naming the broker's ACLs and progress's attribution both rest on."""

from __future__ import annotations

import re

import pytest

from ankommen.shared.events.contracts.progress import ProviderReportRejected, RejectionReason
from ankommen.shared.messaging.producer import RelayProducer
from ankommen.shared.messaging.topics import (
    DEAD_LETTERS,
    IN_TRANSIT,
    PARTICIPATION,
    PROVIDER_FEEDBACK,
    PROVIDER_REJECTIONS,
    PROVIDER_REPORTS,
    PROVIDER_REPORTS_PATTERN,
    TopicGuard,
    provider_rejections_topic,
    provider_reports_topic,
    retention_of,
    topic_plan,
)
from ankommen.shared.settings import CommonSettings
from ankommen.tools.synthetic import PROVIDERS


def test_each_provider_has_its_own_reports_and_rejections_topic():
    assert provider_reports_topic("vhs-a").name == "ankommen.provider.vhs-a.reports"
    assert provider_rejections_topic("vhs-a").name == "ankommen.provider.vhs-a.rejections"
    assert provider_reports_topic("vhs-a").dead_letter == "ankommen.provider.vhs-a.reports.dlq"
    assert {name: count for name, count in topic_plan((), ["vhs-a"]).items()} == {
        "ankommen.provider.vhs-a.reports": 6, "ankommen.provider.vhs-a.reports.dlq": 1,
        "ankommen.provider.vhs-a.rejections": 6, "ankommen.provider.vhs-a.rejections.dlq": 1}


@pytest.mark.parametrize("provider_id", [
    "vhs.b", "a", "VHS", "vhs a", "-vhs", "x" * 41, "vhs-a.reports", "", "vhs/a"])
def test_an_id_that_could_reach_into_another_topic_name_is_no_provider_id(provider_id):
    with pytest.raises(ValueError, match="not a provider id"):
        provider_reports_topic(provider_id)


@pytest.mark.parametrize(("topic", "provider_id"), [
    ("ankommen.provider.vhs-a.reports", "vhs-a"),
    ("ankommen.provider.bildungszentrum_heide-2.reports", "bildungszentrum_heide-2"),
    ("ankommen.provider.vhs-a.reports.dlq", None),
    ("ankommen.provider.vhs-a.rejections", None),
    ("ankommen.provider.vhs.b.reports", None),
    ("ankommen.provider.reports", None),
    ("xankommen.provider.vhs-a.reports", None),
    ("ankommen.providerXvhs-a.reports", None),
    ("ankommen.provider.vhs-a.reportsX", None),
    ("ankommen.provider." + "x" * 41 + ".reports", None),
    ("ankommen.provider.x.reports", None),
    ("ankommen.intake.cases", None),
])
def test_the_reports_pattern_matches_every_providers_reports_topic_and_no_other(
        topic, provider_id):
    assert PROVIDER_REPORTS.provider_of(topic) == provider_id
    # What the consumer subscribes to (aiokafka matches with re.match) agrees.
    assert bool(re.match(PROVIDER_REPORTS_PATTERN, topic)) == (provider_id is not None)


def test_provider_topics_keep_their_kinds_retention():
    assert retention_of("ankommen.provider.vhs-a.reports") is IN_TRANSIT
    assert retention_of("ankommen.provider.vhs-a.rejections") is PROVIDER_FEEDBACK
    assert retention_of("ankommen.provider.vhs-a.reports.dlq") is DEAD_LETTERS
    assert retention_of("ankommen.provider.vhs-a.rejections.dlq") is DEAD_LETTERS
    assert retention_of("ankommen.provider.vhs.a.reports") is None


def test_a_relay_that_sends_rejections_may_send_any_providers_but_never_a_report():
    producer = RelayProducer("127.0.0.1:9", (PARTICIPATION, PROVIDER_REJECTIONS),
                             client_id="test")
    assert producer._declared("ankommen.provider.vhs-a.rejections")  # noqa: SLF001
    assert producer._declared("ankommen.progress.participation")  # noqa: SLF001
    assert not producer._declared("ankommen.provider.vhs-a.reports")  # noqa: SLF001
    assert not producer._declared("ankommen.provider.vhs.a.rejections")  # noqa: SLF001


def test_a_rejection_goes_to_its_providers_own_topic():
    rejection = ProviderReportRejected(provider_id="vhs-a", report_id="r-1", errors=[
        RejectionReason(field="source", reason="must be /providers/vhs-a")])
    assert rejection.destination() == "ankommen.provider.vhs-a.rejections"
    with pytest.raises(ValueError, match="provider_id"):
        ProviderReportRejected(errors=rejection.errors).destination()


def test_the_guard_wants_the_rejections_and_dead_letters_of_every_provider_with_reports():
    guard = TopicGuard("127.0.0.1:9", (PROVIDER_REJECTIONS,), create_missing_topics=False)
    guard.require_dead_letters_of(PROVIDER_REPORTS)
    wanted = guard._wanted({"ankommen.provider.vhs-a.reports",  # noqa: SLF001
                            "ankommen.provider.vhs-b.rejections"})
    assert wanted == {"ankommen.provider.vhs-a.rejections": 6,
                      "ankommen.provider.vhs-a.reports.dlq": 1}


def test_the_operator_lists_the_providers_with_a_kafka_channel():
    assert CommonSettings(_env_file=None, kafka_providers=" vhs-a,vhs-b ,vhs-a,"
                          ).kafka_provider_ids == ("vhs-a", "vhs-b")
    assert CommonSettings(_env_file=None, profile="production", kafka_username="intake",
                          kafka_password="k" * 40, kafka_ca_file="/run/secrets/kafka_ca",
                          kafka_bootstrap_servers="kafka:9092", county_districts="03358"
                          ).kafka_provider_ids == ()
    with pytest.raises(ValueError, match="not provider ids: 'vhs.b'"):
        CommonSettings(_env_file=None, kafka_providers="vhs-a,vhs.b")


def test_the_demo_providers_reporting_over_kafka_have_their_topics_in_development():
    over_kafka = {provider.provider_id for provider in PROVIDERS if provider.channel == "kafka"}
    assert over_kafka
    assert over_kafka <= set(CommonSettings(_env_file=None).kafka_provider_ids)
