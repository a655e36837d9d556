"""The provenance rule: every event type has one owning service (the contract module that
defines it), and is believed only from that service's topic with that service's ``source``.

The forgeries replayed here are those of issue 14 (a ``PlacementConfirmed`` that disclosed a
person, a ``CaseErased`` that deleted one, a ``CoursePublished`` that was stored); the
real-broker proof that they end in the dead-letter topic and change nothing is
``tests/reliability/test_forged_events.py``.
"""

from __future__ import annotations

import importlib
import secrets
from typing import ClassVar

import pytest
from aiokafka.structs import ConsumerRecord

from ankommen.shared.events import Envelope, EventData, InvalidEvent, registry
from ankommen.shared.events.contracts.assignment import CoursePublished, PlacementConfirmed
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalRecorded, CaseErased
from ankommen.shared.events.contracts.progress import (
    ProviderReportRejected,
    ProviderReportSubmitted,
)
from ankommen.shared.events.provenance import (
    PROVIDER_CHANNEL,
    check_provenance,
    owner_of,
    provenance_of,
    service_source,
)
from ankommen.shared.events.registry import DecodedEvent
from ankommen.shared.messaging import consumer as consuming
from ankommen.shared.messaging.consumer import DLQ_REASON
from ankommen.shared.messaging.topics import CASES, FACTS, PLACEMENTS, PROVIDER_REPORTS, TOPICS
from tests.shared.unit.test_consumer_never_skips import (
    FakeDeadLetters,
    FakeMessage,
    batched,
    single,
)

SERVICES = ("intake", "assignment", "progress", "monitoring")
MODELS = registry.models
#: Types a provider's system writes: the provider channel attributes them, not this rule.
PROVIDER_WRITTEN = {ProviderReportSubmitted}
OWNED = {event_type: model for event_type, model in MODELS.items()
         if model not in PROVIDER_WRITTEN}


def event(model: type[EventData], source: str) -> DecodedEvent:
    """An event of ``model`` from ``source`` (the payload is not what is judged here)."""
    return DecodedEvent(envelope=Envelope(type=model.event_type, source=source, data={}),
                        data=model.model_construct())


def refusal(model: type[EventData], topic: str, source: str) -> str | None:
    try:
        check_provenance(event(model, source), topic)
    except InvalidEvent as invalid:
        return invalid.reason
    return None


def test_every_registered_type_has_an_owning_service():
    unowned = [event_type for event_type, model in MODELS.items()
               if provenance_of(model) is None]
    assert not unowned, (f"{unowned}: define each event type in the contract module of the "
                         "service that publishes it (contracts/<service>.py)")


def test_only_provider_reports_are_left_to_the_provider_channel():
    assert {model for model in MODELS.values()
            if provenance_of(model).service is None} == PROVIDER_WRITTEN


@pytest.mark.parametrize("event_type", sorted(OWNED))
def test_each_type_is_named_for_its_owner_and_published_on_the_owners_topic(event_type):
    model = OWNED[event_type]
    owner = owner_of(model)
    assert owner in SERVICES
    assert event_type.startswith(f"ankommen.{owner}.")
    if issubclass(model, Fact):
        assert model.topic == FACTS.name
    elif not model.topic.startswith(PROVIDER_CHANNEL):
        assert model.topic.startswith(f"ankommen.{owner}.")
    # The owner really publishes there: its service definition names the topic. (A
    # provider-channel topic is one per provider, not a fixed topic of the definition.)
    definition = importlib.import_module(f"ankommen.{owner}.app").DEFINITION
    assert definition.name == owner
    if not model.topic.startswith(PROVIDER_CHANNEL):
        assert model.topic in {topic.name for topic in definition.publishes}


@pytest.mark.parametrize("event_type", sorted(OWNED))
def test_each_owned_type_is_accepted_from_its_topic_with_its_owners_source(event_type):
    model = OWNED[event_type]
    assert refusal(model, model.topic, service_source(owner_of(model))) is None


@pytest.mark.parametrize("event_type", sorted(OWNED))
def test_each_owned_type_is_refused_from_any_other_service_or_any_other_topic(event_type):
    model = OWNED[event_type]
    owner = owner_of(model)
    for other in SERVICES:
        if other != owner:
            assert refusal(model, model.topic, service_source(other)).startswith(
                f"provenance: {event_type} is published by {owner} on ")
    for source in ("/tests", f"/ankommen/{owner}/", f"/providers/{owner}", f"/ankommen/{owner} "):
        assert refusal(model, model.topic, source) is not None
    for topic in TOPICS:
        if topic.name != model.topic and not (
                model.topic.startswith(PROVIDER_CHANNEL)
                and topic.name.startswith(PROVIDER_CHANNEL)):
            assert refusal(model, topic.name, service_source(owner)) is not None, topic.name


def test_a_forged_placement_confirmation_names_what_was_wrong():
    assert refusal(PlacementConfirmed, CASES.name, "/ankommen/progress") == (
        "provenance: ankommen.assignment.placement_confirmed.v1 is published by assignment on "
        "ankommen.assignment.placements; came on ankommen.intake.cases from /ankommen/progress")
    assert refusal(PlacementConfirmed, PLACEMENTS.name, "/ankommen/intake") == (
        "provenance: ankommen.assignment.placement_confirmed.v1 is published by assignment on "
        "ankommen.assignment.placements; came on ankommen.assignment.placements from "
        "/ankommen/intake")


def test_a_forged_erasure_and_a_forged_course_are_refused():
    assert refusal(CaseErased, CASES.name, "/ankommen/assignment").startswith(
        "provenance: ankommen.intake.case_erased.v1 is published by intake on "
        "ankommen.intake.cases; came on ankommen.intake.cases from /ankommen/assignment")
    assert refusal(CoursePublished, CASES.name, "/ankommen/assignment").endswith(
        "came on ankommen.intake.cases from /ankommen/assignment")


def test_a_fact_is_accepted_only_from_the_service_that_owns_its_type():
    assert refusal(ArrivalRecorded, FACTS.name, "/ankommen/intake") is None
    for source in ("/ankommen/monitoring", "/ankommen/assignment", "/ankommen/progress"):
        assert refusal(ArrivalRecorded, FACTS.name, source) == (
            "provenance: ankommen.intake.arrival_recorded.v1 is published by intake on "
            f"ankommen.monitoring.facts; came on ankommen.monitoring.facts from {source}")


def test_a_source_that_hides_something_is_shown_quoted():
    reason = refusal(CaseErased, CASES.name, "/ankommen/intake\u202e\nX")
    assert reason.endswith("from '/ankommen/intake\\u202e\\nX'")


def test_provider_reports_are_kept_on_the_provider_channel_and_attributed_there():
    # Any provider's source: which provider wrote it is the channel's to say (progress's
    # provider topic consumer), not this rule's.
    for source in ("/providers/vhs-a", "/providers/vhs-b", "/ankommen/intake"):
        assert refusal(ProviderReportSubmitted, PROVIDER_REPORTS.name, source) is None
    # One topic per provider is still the provider channel.
    assert refusal(ProviderReportSubmitted, "ankommen.provider.vhs-a.reports",
                   "/providers/vhs-a") is None
    assert refusal(ProviderReportSubmitted, CASES.name, "/providers/vhs-a") == (
        "provenance: ankommen.provider.report_submitted.v1 is published by a provider's "
        "system on a provider channel topic (ankommen.provider.…); came on "
        "ankommen.intake.cases")
    # Progress's rejections go to the provider channel, and come from progress only.
    assert refusal(ProviderReportRejected, "ankommen.provider.vhs-a.rejections",
                   "/ankommen/progress") is None
    assert refusal(ProviderReportRejected, "ankommen.provider.vhs-a.rejections",
                   "/providers/vhs-a") is not None
    assert refusal(ProviderReportRejected, PLACEMENTS.name, "/ankommen/progress") is not None


class Stray(EventData):
    """An event type defined outside the contract modules: nobody owns it."""

    event_type: ClassVar[str] = "ankommen.intake.stray.v1"
    topic: ClassVar[str] = CASES.name
    aggregate_type: ClassVar[str] = "case"


def test_a_type_without_an_owner_is_refused_wherever_it_comes_from():
    assert owner_of(Stray) is None
    assert refusal(Stray, CASES.name, "/ankommen/intake") == (
        "provenance: ankommen.intake.stray.v1 has no owning service (its model is defined "
        "outside the services' contract modules)")


def forged(source: str, topic: str = CASES.name) -> ConsumerRecord:
    """A valid ``CaseErased`` from ``source``, as read from ``topic``."""
    body = registry.envelope(CaseErased(pseudonym=secrets.token_urlsafe(24)),
                             source=source).to_bytes()
    return ConsumerRecord(topic=topic, partition=2, offset=7, timestamp=0, timestamp_type=0,
                          key=b"key", value=body, checksum=None, serialized_key_size=3,
                          serialized_value_size=len(body), headers=())


async def test_the_consumer_dead_letters_an_event_from_the_wrong_source_without_handling_it():
    handled = []

    async def handler(*_: object) -> None:
        handled.append(1)

    dead_letters = FakeDeadLetters()
    message = FakeMessage(forged("/ankommen/assignment"))
    await single(dead_letters, handlers={CaseErased: handler}).process(message)
    assert message.outcome == "ack"
    assert handled == []
    [(_, _, headers)] = dead_letters.sent
    assert headers[DLQ_REASON] == (
        "provenance: ankommen.intake.case_erased.v1 is published by intake on "
        "ankommen.intake.cases; came on ankommen.intake.cases from /ankommen/assignment")


async def test_the_batch_consumer_judges_each_message_by_the_topic_it_was_read_from():
    dead_letters = FakeDeadLetters()
    message = FakeMessage((forged("/ankommen/intake", topic=PLACEMENTS.name),
                           forged("/ankommen/assignment")))
    await batched(dead_letters).process_batch(message)
    assert message.outcome == "ack"
    reasons = [headers[DLQ_REASON] for _, _, headers in dead_letters.sent]
    assert reasons[0].endswith("came on ankommen.assignment.placements from /ankommen/intake")
    assert reasons[1].endswith("came on ankommen.intake.cases from /ankommen/assignment")


async def test_a_provenance_check_that_breaks_dead_letters_the_message(monkeypatch):
    def broken(*_: object) -> None:
        raise AttributeError("topic")

    monkeypatch.setattr(consuming, "check_provenance", broken)
    dead_letters = FakeDeadLetters()
    message = FakeMessage(forged("/ankommen/intake"))
    await single(dead_letters).process(message)
    assert message.outcome == "ack"
    assert dead_letters.sent[0][2][DLQ_REASON] == (
        "check: the consumer's check failed (AttributeError)")
