"""B2: progress ingesting provider reports from the provider topic (decode, validate against
the placement and the history, store, outbox, publish) in reports/s, against raw aiokafka
production of the same messages; and one CSV upload of 100,000 rows (the provider's Excel
export) in seconds.

Progress runs as its own process (uvicorn, as deployed). It first learns the placements from
assignment's topics; one warm-up report makes sure its provider-topic consumer has joined its
group before the clock starts. The clock runs from the first produced report until every
report is in progress's ``reports`` table and its outbox is empty (all events published)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from ankommen.shared.auth import Role
from ankommen.tools.demo import csv_list
from bench.harness import broker, database
from bench.provider_reports import (
    PROVIDER,
    announce_placements,
    ingest,
    reports,
    wait_for_placements,
)
from bench.results import Figure
from bench.stack import headers, stack

REPORTS_PER_PERSON = 10
CSV_REPORTS_PER_PERSON = 50


async def scenario(bootstrap: str, folder: Path, count: int, csv_rows: int) -> dict:
    async with database(folder, "progress") as url, \
            stack(bootstrap, folder, {"progress": url}) as running:
        await running.start("progress")
        topic_people = -(-count // REPORTS_PER_PERSON)
        csv_people = -(-csv_rows // CSV_REPORTS_PER_PERSON)
        codes = await announce_placements(bootstrap, 1 + topic_people + csv_people)
        await wait_for_placements(url, len(codes))
        warm_up, topic_codes, csv_codes = codes[0], codes[1:1 + topic_people], \
            codes[1 + topic_people:]
        await ingest(bootstrap, url, reports(warm_up, 1), already=0)
        sent = [report for code in topic_codes
                for report in reports(code, REPORTS_PER_PERSON)][:count]
        produced, consumed = await ingest(bootstrap, url, sent, already=1)

        rows = [report for code in csv_codes
                for report in reports(code, CSV_REPORTS_PER_PERSON)][:csv_rows]
        content = csv_list(rows)
        async with httpx.AsyncClient(base_url=running.url("progress"), timeout=900) as client:
            started = time.monotonic()
            response = await client.post("/reports/csv", headers=headers(Role.PROVIDER,
                                                                         PROVIDER),
                                         files={"file": ("teilnehmerliste.csv", content,
                                                         "text/csv")})
            upload_seconds = time.monotonic() - started
        result = response.json() if response.status_code == 200 else {}
        return {"produced": produced, "consumed": consumed, "sent": len(sent),
                "upload_seconds": upload_seconds, "upload_status": response.status_code,
                "csv_rows": len(rows), "csv_bytes": len(content),
                "csv_accepted": result.get("accepted"),
                "csv_rejected": len(result.get("rejected", [])) if result else None,
                "csv_first_problem": (result.get("rejected") or [None])[0] if result
                else response.text[:300],
                "peak_rss_mb": running.peak_memory()}


def run(reports_count: int = 5_000, csv_rows: int = 100_000) -> list[Figure]:
    with broker() as embedded, tempfile.TemporaryDirectory() as folder:
        found = asyncio.run(scenario(embedded.bootstrap_servers, Path(folder), reports_count,
                                     csv_rows))
    rate, raw_rate = found["sent"] / found["consumed"], found["sent"] / found["produced"]
    accepted_all = found["upload_status"] == 200 and found["csv_accepted"] == found["csv_rows"]
    return [
        Figure("B2", "progress ingest from the provider topic", rate, "/s", raw_rate,
               "raw aiokafka production of the same messages (/s)", rate / raw_rate,
               "ratio ≥ 0.2", rate / raw_rate >= 0.2,
               {"reports": found["sent"], "seconds": round(found["consumed"], 2),
                "peak_rss_mb": found["peak_rss_mb"]}),
        Figure("B2", f"CSV upload of {found['csv_rows']:,} rows in one request",
               found["upload_seconds"], "s", None, "", found["upload_seconds"] / 10.0,
               "≤ 10 s, every row accepted", accepted_all and found["upload_seconds"] <= 10.0,
               {key: found[key] for key in ("upload_status", "csv_bytes", "csv_accepted",
                                            "csv_rejected", "csv_first_problem")}),
    ]
