"""Reports from the providers' own topics (service/provider_topic.py) through the fakes: a
batch stored in the consumer's one unit, each refusal answered on the provider's rejections
topic and kept for its page — the forged one under the topic's provider, never the one it
names. The handler never commits (the batch consumer does, with the inbox rows)."""

from __future__ import annotations

from typing import Any

import pytest

from ankommen.progress.service.provider_topic import (
    KEY_MISMATCH,
    NotAProviderTopic,
    receive_provider_reports,
)
from ankommen.shared.events.contracts.progress import (
    ParticipantEnrolled,
    ProviderReportRejected,
    ProviderReportSubmitted,
)
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.consumer import Delivery
from ankommen.shared.messaging.topics import PROVIDER_REPORTS
from tests.progress.unit.seeded import CODE, enrolment, seeded


def delivery(report: dict[str, Any], *, provider_id: str = "vhs-a", key: str | None = CODE,
             source: str | None = None, topic: str | None = None) -> Delivery:
    data = ProviderReportSubmitted(report=report)
    envelope = registry.envelope(data, source=source or f"/providers/{provider_id}")
    return Delivery(registry.decode(envelope.to_bytes()), key,
                    topic or PROVIDER_REPORTS.of(provider_id).name)


def raw(report_id: str = "e-1") -> dict[str, Any]:
    return enrolment(report_id).model_dump(mode="json")


async def received(deliveries: list[Delivery]):  # noqa: ANN201
    units = await seeded()
    async with units() as uow:
        await receive_provider_reports(uow, deliveries)
        assert units.database.commits == 0, "the batch consumer commits, not its handler"
        await uow.commit()
    return units


async def test_a_batch_of_good_reports_is_stored_and_announced():
    units = await received([delivery(raw("e-1"))])
    assert [row.report.report_id for row in units.database.tables.reports] == ["e-1"]
    assert [type(event) for event in units.published] == [ParticipantEnrolled]


async def test_a_report_claiming_another_provider_is_refused_on_the_topics_provider():
    units = await received([delivery(raw(), source="/providers/vhs-b")])
    [rejection] = units.published
    assert isinstance(rejection, ProviderReportRejected)
    assert (rejection.provider_id, rejection.errors[0].field) == ("vhs-a", "source")
    assert [row.provider_id for row in units.database.tables.refused] == ["vhs-a"]
    assert units.database.tables.reports == []


async def test_a_report_under_another_key_is_refused():
    units = await received([delivery(raw(), key="REF-9999")])
    [rejection] = units.published
    assert isinstance(rejection, ProviderReportRejected)
    assert rejection.errors[0].reason == KEY_MISMATCH
    assert units.database.tables.reports == []


async def test_a_malformed_report_is_refused_with_its_field():
    units = await received([delivery({"kind": "enrolment", "report_id": "e-1",
                                      "referral_code": CODE})])
    [rejection] = units.published
    assert isinstance(rejection, ProviderReportRejected)
    assert [error.field for error in rejection.errors] == ["started_on"]
    assert [row.refused.report_id for row in units.database.tables.refused] == ["e-1"]


async def test_a_report_refused_by_validation_is_answered_on_the_topic_and_kept_once():
    units = await received([delivery(raw("e-1")), delivery(raw("e-1") | {
        "started_on": "2026-09-02"})])
    assert [type(event) for event in units.published] == [ParticipantEnrolled,
                                                          ProviderReportRejected]
    assert len(units.database.tables.refused) == 1


async def test_a_report_from_a_topic_that_names_no_provider_is_a_bug_not_a_rejection():
    units = await seeded()
    async with units() as uow:
        with pytest.raises(NotAProviderTopic):
            await receive_provider_reports(uow, [delivery(raw(), topic="ankommen.cases")])
    assert units.published == [] and units.database.tables.refused == []
