"""Valid events of every consumed topic, for tests that mix them with malformed messages."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import timedelta
from typing import Any

from ankommen.shared.events import EventData, registry
from ankommen.shared.events.contracts.assignment import (
    CoursePublished,
    PlacementOffered,
    PlacementWithdrawn,
    WithdrawalReason,
)
from ankommen.shared.events.contracts.intake import ArrivalFact, CaseRegistered, Survey
from ankommen.shared.events.contracts.progress import CourseDiscontinued, ProviderReportSubmitted
from ankommen.shared.events.provenance import owner_of, service_source
from ankommen.shared.events.registry import DecodedEvent
from ankommen.shared.messaging.topics import (
    CASES,
    COURSES,
    FACTS,
    PARTICIPATION,
    PLACEMENTS,
    PROVIDER_REPORTS,
    provider_reports_topic,
)
from tests.assignment.builders import course
from tests.support.county_day import county_today
from tests.support.surveys import survey


def owners_source(data: EventData) -> str:
    """The ``source`` the service that owns ``data``'s type publishes it with: consumers
    believe an event from nobody else."""
    owner = owner_of(type(data))
    assert owner is not None, f"{data.event_type} has no owning service"
    return service_source(owner)


def decoded(data: EventData) -> DecodedEvent:
    """``data`` as a consumer hands it to a handler: decoded, in its owner's envelope."""
    subject = getattr(data, "pseudonym", None)
    return DecodedEvent(registry.envelope(data, source=owners_source(data),
                                          subject=subject if isinstance(subject, str) else None),
                        data)


def valid_event(topic: str, handled: frozenset = frozenset()) -> tuple[bytes, str, str]:
    """(body, key, event id) of a valid event a consumer of ``topic`` handles (``handled``:
    the consumer's event types, where groups on one topic handle different ones)."""
    pseudonym, code = secrets.token_urlsafe(24), "ABCD-EFGH-2"
    source, subject = None, pseudonym
    if topic == CASES.name:
        data = CaseRegistered(pseudonym=pseudonym, survey=Survey(**survey()),
                              registered_on=county_today())
    elif topic == COURSES.name:
        data, subject = CoursePublished(course=course(course_id=f"c-{uuid.uuid4().hex[:8]}")), None
    elif topic == PLACEMENTS.name and PlacementOffered not in handled and handled:
        data = PlacementWithdrawn(placement_id=uuid.uuid4().hex, pseudonym=pseudonym,
                                  referral_code=code, course_id="c-1", provider_id="vhs-a",
                                  reason=next(iter(WithdrawalReason)))
    elif topic == PLACEMENTS.name:
        data = PlacementOffered(placement_id=uuid.uuid4().hex, pseudonym=pseudonym,
                                referral_code=code, course_id="c-1", provider_id="vhs-a",
                                offered_on=county_today())
    elif topic == PARTICIPATION.name:
        data = CourseDiscontinued(pseudonym=pseudonym, referral_code=code, course_id="c-1",
                                  report_id=uuid.uuid4().hex, reason="moved_away",
                                  discontinued_on=county_today() - timedelta(days=1))
    elif (provider_id := PROVIDER_REPORTS.provider_of(topic)) is not None:
        data, source, subject = ProviderReportSubmitted(report={
            "kind": "enrolment", "report_id": "r-1", "referral_code": code,
            "started_on": county_today().isoformat()}), f"/providers/{provider_id}", None
    elif topic == FACTS.name:
        data, subject = ArrivalFact(record_key=secrets.token_hex(16), month="2026-01",
                                    district="03358", german_level="A1"), None
    else:
        raise AssertionError(f"{topic} is consumed but has no valid example here: add one")
    envelope = registry.envelope(data, source=source or owners_source(data), subject=subject)
    return envelope.to_bytes(), subject or envelope.id, envelope.id


def valid_documents() -> list[dict[str, Any]]:
    """One valid envelope (as a JSON document) per consumed topic and event kind."""
    documents = [valid_event(topic.name)[0] for topic in (
        CASES, COURSES, PLACEMENTS, PARTICIPATION, provider_reports_topic("vhs-a"), FACTS)]
    documents.append(valid_event(PLACEMENTS.name, frozenset({PlacementWithdrawn}))[0])
    return [json.loads(body) for body in documents]
