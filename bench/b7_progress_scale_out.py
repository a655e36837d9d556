"""B7: scale-out of progress — three instances in one consumer group against one, on the
provider's reports topic (6 partitions), each on a fresh broker and database with the same reports:
throughput ratio, and no duplicated effect (every report stored once, one participation
event per report on the output topic).

The instances share progress's database, as replicas of a service do. They are started one
after the other (the first applies the migrations); a warm-up report per partition key makes
sure the group has settled before the clock starts (same method as B2)."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from ankommen.shared.messaging.topics import PARTICIPATION, PROVIDER_REPORTS
from bench.harness import broker, database
from bench.provider_reports import announce_placements, ingest, reports, wait_for_placements
from bench.results import Figure
from bench.stack import TopicReader, scalar, stack, wait_until

REPORTS_PER_PERSON = 10
WARM_UP = 12


async def scenario(bootstrap: str, folder: Path, instances: int, count: int
                   ) -> dict[str, Any]:
    async with database(folder, "progress") as url, \
            stack(bootstrap, folder, {"progress": url}) as running:
        for _ in range(instances):
            await running.start("progress")
        people = -(-count // REPORTS_PER_PERSON)
        codes = await announce_placements(bootstrap, WARM_UP + people)
        await wait_for_placements(url, len(codes))
        await ingest(bootstrap, url, [reports(code, 1)[0] for code in codes[:WARM_UP]],
                     already=0)
        sent = [report for code in codes[WARM_UP:]
                for report in reports(code, REPORTS_PER_PERSON)][:count]
        produced, consumed = await ingest(bootstrap, url, sent, already=WARM_UP)
        expected = WARM_UP + len(sent)
        stored = await scalar(url, "SELECT count(*) FROM reports")
        distinct = await scalar(url, "SELECT count(DISTINCT report_id) FROM reports")
        async with TopicReader(bootstrap, PARTICIPATION.name) as output:
            async def all_read() -> bool:
                return len(output.messages) >= expected

            await wait_until(all_read, "the participation events", 120, 0.2)
            await asyncio.sleep(1)  # anything beyond the expected count would be a duplicate
            per_report = Counter(envelope["data"]["report_id"]
                                 for _, _, envelope in output.messages)
            per_event = Counter(envelope["id"] for _, _, envelope in output.messages)
        return {"sent": len(sent), "produced": produced, "consumed": consumed,
                "stored_duplicates": stored - distinct, "stored": stored,
                "events": sum(per_report.values()),
                "event_duplicates": sum(n - 1 for n in per_report.values()),
                # The same envelope again: a relay re-sent an outbox row (consumers' inboxes
                # drop it); another envelope for the same report: processed twice.
                "resent_envelopes": sum(n - 1 for n in per_event.values()),
                "missing_events": expected - len(per_report)}


def measure(instances: int, count: int) -> dict[str, Any]:
    with broker() as started, tempfile.TemporaryDirectory() as folder:
        return asyncio.run(scenario(started.bootstrap_servers, Path(folder), instances, count))


def run(count: int = 5_000) -> list[Figure]:
    one, three = measure(1, count), measure(3, count)
    rate_one, rate_three = one["sent"] / one["consumed"], three["sent"] / three["consumed"]
    duplicates = sum(run_[key] for run_ in (one, three)
                     for key in ("stored_duplicates", "event_duplicates"))
    missing = one["missing_events"] + three["missing_events"]
    details = {"reports": count, "partitions": PROVIDER_REPORTS.partitions,
               "one_instance": one, "three_instances": three}
    return [
        Figure("B7", "progress ×3 in one group: provider-topic ingest", rate_three, "/s",
               rate_one, "one instance, same reports (/s)", rate_three / rate_one,
               "ratio > 1 (more instances, more throughput)", rate_three / rate_one > 1.0,
               details),
        Figure("B7", "duplicated effects (stored reports + participation events)",
               duplicates, "", None, "", None, "0, and no event missing",
               duplicates == 0 and missing == 0,
               {"missing_events": missing}),
    ]
