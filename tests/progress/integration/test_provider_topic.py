"""The Kafka channel and progress's inputs over the real broker: courses and placements from
assignment's topics, reports produced by a third-party client (Debian's ``kcat``) on the
provider's own topic, rejections published back on the provider's own rejections topic,
erasure of a case."""

from __future__ import annotations

import asyncio
import json
import subprocess

from ankommen.shared.events.contracts.intake import CaseErased
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import provider_rejections_topic, provider_reports_topic
from tests.progress.integration.catalogue import (
    announce,
    catalogue_events,
    day,
    provider_message,
    read_topic,
    referral_code,
    wait_for_participants,
)
from tests.support.brokers import provider_channels
from tests.support.polling import eventually
from tests.support.services import in_process, token


async def kcat_produce(bootstrap: str, provider_id: str, key: str, body: dict) -> None:
    """Produce one message the way a provider's own system might: with kcat (librdkafka),
    idempotent as a careful provider would configure it, straight to Apache Kafka."""
    process = await asyncio.create_subprocess_exec(
        "/usr/bin/kcat", "-P", "-b", bootstrap, "-t", provider_reports_topic(provider_id).name,
        "-k", key,
        "-X", "enable.idempotence=true", stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    _, errors = await asyncio.wait_for(process.communicate(json.dumps(body).encode()), 30)
    assert process.returncode == 0, errors.decode()


async def test_kcat_reports_are_validated_and_foreign_codes_rejected_on_the_topic(
        kafka, sqlite_databases):
    own, erased, foreign = referral_code(), referral_code(), referral_code()
    bootstrap = kafka.bootstrap_servers
    await provider_channels(bootstrap, "vhs-a", "vhs-b")
    async with in_process("progress", bootstrap=bootstrap,
                          database_url=await sqlite_databases.url("progress")) as progress:
        events_a, pseudonyms = catalogue_events("vhs-a", [own, erased])
        events_b, _ = catalogue_events("vhs-b", [foreign])
        await announce(bootstrap, events_a + events_b)
        await wait_for_participants(progress, "vhs-a", 2)

        enrolment = {"kind": "enrolment", "report_id": "k-1", "referral_code": own,
                     "started_on": day(3)}
        theft = {"kind": "enrolment", "report_id": "k-2", "referral_code": foreign,
                 "started_on": day(3)}
        bad_level = {"kind": "completion", "report_id": "k-3", "referral_code": own,
                     "completed_on": day(4), "level_reached": "Z9"}
        for key, report in ((own, enrolment), (foreign, theft), (own, bad_level)):
            await kcat_produce(bootstrap, "vhs-a", key, provider_message("vhs-a", report))
        vhs_a = token(Role.PROVIDER, "vhs-a")

        async def history() -> list[str]:
            response = await progress.client.get(f"/participants/{own}/reports",
                                                 headers=vhs_a)
            return [entry["report_id"] for entry in response.json()["entries"]]

        assert await eventually(history, until=lambda found: found == ["k-1"], timeout=60,
                                what="the kcat report is stored")
        rejections = await read_topic(bootstrap, provider_rejections_topic("vhs-a").name,
                                      lambda found: len(found) >= 2, deadline=60)
        by_report = {item["data"]["report_id"]: item for item in rejections}
        assert by_report["k-2"]["_key"] == foreign
        assert by_report["k-2"]["data"]["errors"] == [
            {"field": "referral_code", "reason": "not a placement in one of your courses"}]
        assert by_report["k-3"]["data"]["errors"][0]["field"] == "level_reached"
        assert "vhs-b" not in repr(by_report["k-2"])

        await announce(bootstrap, [(pseudonyms[erased],
                                    CaseErased(pseudonym=pseudonyms[erased]))],
                       source="/ankommen/intake")

        async def participants() -> list[str]:
            response = await progress.client.get("/participants", headers=vhs_a)
            return [item["referral_code"] for item in response.json()]

        assert await eventually(participants, until=lambda found: found == [own], timeout=60,
                                what="the erased case's placement is gone")
