"""The event envelope and registry: CloudEvents attribute names, versioned types, and a reason
for every rejection."""

from __future__ import annotations

import json
import secrets
from datetime import date

import pytest
from pydantic import ValidationError

from ankommen.shared.events import InvalidEvent, registry
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalFact, CaseRegistered, Survey
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.messaging.topics import PROVIDER_TOPICS, TOPICS
from tests.support.surveys import survey


def registered() -> CaseRegistered:
    return CaseRegistered(pseudonym=secrets.token_urlsafe(24), survey=Survey(**survey()),
                          registered_on=date(2026, 11, 3))


def test_envelope_uses_cloudevents_attribute_names_and_round_trips():
    data = registered()
    envelope = registry.envelope(data, source="/ankommen/intake", subject=data.pseudonym)
    document = json.loads(envelope.to_bytes())
    assert set(document) == {"specversion", "id", "type", "source", "time", "subject",
                             "datacontenttype", "data"}
    assert document["specversion"] == "1.0"
    assert document["type"] == "ankommen.intake.case_registered.v1"
    decoded = registry.decode(envelope.to_bytes())
    assert decoded.data == data
    assert decoded.envelope.id == envelope.id


def test_an_unset_optional_attribute_is_left_out_while_nulls_in_data_stay():
    """Official CloudEvents SDKs refuse ``"subject": null``; the payload's own nulls are its
    business and must survive."""
    data = registered()
    document = json.loads(registry.envelope(data, source="/ankommen/intake").to_bytes())
    assert "subject" not in document
    assert None not in (value for name, value in document.items() if name != "data")
    nulls = {name for name, value in document["data"]["survey"].items() if value is None}
    assert nulls and nulls == {name for name, value in data.survey.model_dump().items()
                               if value is None}


def test_an_optional_attribute_sent_as_null_by_someone_else_is_still_accepted():
    """The JSON format lets a sender write ``null`` for an absent attribute; we read it."""
    data = registered()
    document = json.loads(registry.envelope(data, source="/ankommen/intake").to_bytes())
    document["subject"] = None
    decoded = registry.decode(json.dumps(document).encode())
    assert decoded.envelope.subject is None and decoded.data == data


def test_decoding_in_one_pass_gives_the_envelope_that_step_by_step_validation_gives():
    data = registered()
    document = json.loads(registry.envelope(data, source="/ankommen/intake").to_bytes())
    document["time"] = "2026-11-03T09:30:00.250+02:00"
    body = json.dumps(document, ensure_ascii=False).encode()
    decoded = registry.decode(body)
    assert decoded.envelope == Envelope.model_validate(json.loads(body))
    assert decoded.envelope.time.utcoffset().total_seconds() == 7200
    assert decoded.data == data


def test_every_event_type_carries_owner_and_version_and_a_known_topic():
    for event_type, model in registry.models.items():
        assert event_type.startswith("ankommen.")
        assert event_type.rsplit(".", 1)[1].startswith("v")
        assert model.topic in {topic.name for topic in (*TOPICS, *PROVIDER_TOPICS)}


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "body: the message is empty"),
    (b"\xff\xfe not json", "body: not valid JSON"),
    (b"[1, 2]", "body: a JSON object"),
    (b'{"type": "x"}', "envelope."),
])
def test_malformed_messages_are_rejected_with_a_reason(body, reason):
    with pytest.raises(InvalidEvent) as rejected:
        registry.decode(body)
    assert rejected.value.reason.startswith(reason)


def test_unknown_event_type_is_rejected_naming_the_type():
    document = json.loads(registry.envelope(registered(), source="/t").to_bytes())
    document["type"] = "ankommen.intake.case_registered.v99"
    with pytest.raises(InvalidEvent,
                       match="unknown event type 'ankommen.intake.case_registered.v99'"):
        registry.decode(json.dumps(document).encode())


def test_invalid_payload_is_rejected_naming_the_field():
    document = json.loads(registry.envelope(registered(), source="/t").to_bytes())
    document["data"]["survey"]["region_key"] = "12"
    with pytest.raises(InvalidEvent, match=r"^data\.survey\.region_key: "):
        registry.decode(json.dumps(document).encode())


def test_facts_cannot_carry_a_pseudonym_or_other_extra_fields():
    with pytest.raises(ValidationError, match="pseudonym"):
        ArrivalFact(record_key=secrets.token_hex(16), month="2026-11", district="03358",
                    german_level="A1", pseudonym="abc")
    assert all("pseudonym" not in model.model_fields
               for model in registry.models.values() if issubclass(model, Fact))


def test_a_type_cannot_be_registered_for_two_models():
    class Impostor(CaseRegistered):
        pass

    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Impostor)
