"""The bulk path of the provider topic over the real broker: hundreds of reports consumed in
batches — valid ones stored, invalid ones, another provider's codes and messages whose key is
not the referral code answered on the rejections topic with the field, and kept once for the
provider's refused reports page — and the whole lot delivered a second time changes
nothing."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select

from ankommen.progress.adapters.tables import messaging, reports
from ankommen.progress.service.refusals import refused_reports
from ankommen.shared.messaging.consumer import DLQ_REASON
from ankommen.shared.messaging.topics import provider_rejections_topic, provider_reports_topic
from tests.progress.integration.catalogue import (
    day,
    produce,
    progress_with_placements,
    raw_record,
    read_topic,
    referral_code,
)
from tests.support.brokers import provider_channels
from tests.support.polling import eventually

OWN_CODES = 50
REPORTS = provider_reports_topic("vhs-a").name
REJECTIONS = provider_rejections_topic("vhs-a").name
DEAD_LETTERS = provider_reports_topic("vhs-a").dead_letter


def message(provider_id: str, report: dict) -> bytes:
    return json.dumps({"specversion": "1.0", "id": str(uuid.uuid4()),
                       "type": "ankommen.provider.report_submitted.v1",
                       "source": f"/providers/{provider_id}", "time": "2026-11-20T10:00:00Z",
                       "datacontenttype": "application/json",
                       "data": {"report": report}}).encode()


def attendance(code: str, report_id: str, attended: float, offset: int = 7) -> dict:
    return {"kind": "attendance", "report_id": report_id, "referral_code": code,
            "period_start": day(offset), "period_end": day(offset + 6),
            "hours_attended": attended, "hours_planned": 20}


async def test_a_batch_of_reports_is_stored_once_with_each_refusal_on_the_rejections_topic(
        kafka, databases):
    own = [referral_code() for _ in range(OWN_CODES)]
    foreign = referral_code()
    await provider_channels(kafka.bootstrap_servers, "vhs-a")
    async with progress_with_placements(kafka, databases, {"vhs-a": own, "vhs-b": [foreign]}
                                        ) as (progress, _):
        first: list[tuple[str, bytes]] = []
        for index, code in enumerate(own):
            first.append((code, message("vhs-a", {
                "kind": "enrolment", "report_id": f"e-{index}", "referral_code": code,
                "started_on": day(1)})))
            first.append((code, message("vhs-a", attendance(code, f"a-{index}", 18))))
        expected_rejections = {}
        for index, code in enumerate(own[:10]):
            first.append((code, message("vhs-a", attendance(code, f"over-{index}", 25, 14))))
            expected_rejections[f"over-{index}"] = "hours_attended"
        for index in range(5):
            first.append((foreign, message("vhs-a", {
                "kind": "enrolment", "report_id": f"theft-{index}", "referral_code": foreign,
                "started_on": day(1)})))
            expected_rejections[f"theft-{index}"] = "referral_code"
        for index, code in enumerate(own[10:13]):
            # Keyed by another participant's code: it could overtake that one's reports.
            first.append((own[13], message("vhs-a", attendance(code, f"mismatch-{index}", 1,
                                                                    21))))
            expected_rejections[f"mismatch-{index}"] = "key"
        first.append((own[14], message("vhs-a", {"report_id": "no-kind",
                                                 "referral_code": own[14]})))
        expected_rejections["no-kind"] = "kind"
        first.append((own[15], b"not an event at all"))

        await produce(kafka.bootstrap_servers, REPORTS, first)
        # Everything again (a provider's system retrying), then one more report per key: once
        # those are in, every earlier message on their partitions has been consumed.
        closing = [(code, message("vhs-a", attendance(code, f"last-{index}", 10, 28)))
                   for index, code in enumerate(own)]
        closing.append((foreign, message("vhs-a", {
            "kind": "enrolment", "report_id": "theft-last", "referral_code": foreign,
            "started_on": day(1)})))
        expected_rejections["theft-last"] = "referral_code"
        await produce(kafka.bootstrap_servers, REPORTS, first + closing)

        async def stored() -> int:
            async with progress.runtime.sessions() as session:
                return await session.scalar(select(func.count()).select_from(reports))

        async def unpublished() -> int:
            async with progress.runtime.sessions() as session:
                return await session.scalar(select(func.count()).select_from(
                    messaging.outbox).where(messaging.outbox.c.published_at.is_(None)))

        assert await eventually(stored, until=lambda count: count >= 3 * OWN_CODES,
                                timeout=90, what="every accepted report stored") == 3 * OWN_CODES
        rejections = await read_topic(
            kafka.bootstrap_servers, REJECTIONS,
            lambda found: "theft-last" in {item["data"]["report_id"] for item in found},
            deadline=60)
        await eventually(unpublished, until=lambda count: count == 0, timeout=30,
                         what="the outbox relayed")
        rejections = await read_topic(kafka.bootstrap_servers, REJECTIONS,
                                      lambda found: len(found) >= len(expected_rejections))

        assert len(rejections) == len(expected_rejections), "a rejection twice or missing"
        assert {item["data"]["report_id"]: item["data"]["errors"][0]["field"]
                for item in rejections} == expected_rejections
        mismatch = next(item for item in rejections
                        if item["data"]["report_id"] == "mismatch-0")
        assert mismatch["data"]["errors"][0]["reason"] == (
            "the message key must be the report's referral_code")
        assert mismatch["_key"] == own[10]
        assert await stored() == 3 * OWN_CODES
        # Each refusal is kept once for the provider's refused reports page as well.
        async with progress.runtime.uow() as uow:
            kept = await refused_reports(uow, "vhs-a")
        assert {item.report_id: item.problems[0].field for item in kept} == expected_rejections
        assert len(kept) == len(expected_rejections) and {item.channel for item in kept} == {
            "kafka"}
        dead = await read_topic(kafka.bootstrap_servers, DEAD_LETTERS,
                                lambda found: len(found) >= 1, decode=raw_record)
        assert {item["value"] for item in dead} == {b"not an event at all"}
        assert all("JSON" in item["headers"][DLQ_REASON] for item in dead)
