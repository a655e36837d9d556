"""B1: monitoring's rebuild from the facts topic (decode, admit, add to cells, one
transaction) in facts/s, against a raw aiokafka loop that consumes and JSON-decodes the same
topic — 100,000 facts, the median ratio of five runs (issue 21), each run the baseline right
before the rebuild into a fresh database, so that both see the same machine."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from ankommen.monitoring.app import build_runtime
from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.entrypoints.cli import rebuild
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.provenance import service_source
from ankommen.shared.messaging.topics import FACTS
from bench.harness import broker, database, produce
from bench.results import Figure


def facts(count: int, month: str) -> list[tuple[bytes, bytes]]:
    rng = random.Random(1)
    out = []
    for _ in range(count):
        key = secrets.token_hex(16)
        fact = ArrivalRecorded(
            record_key=key, month=month, district="03358",
            age_band=rng.choice(["18_to_26", "27_to_44", "45_to_64"]),
            gender=rng.choice(["female", "male"]),
            german_level=rng.choice(["A0", "A1", "A2", "B1"]),
            reads_latin_script=rng.random() < 0.6,
            schooling_band=rng.choice(["1_to_6", "7_to_9", "10_to_12", "13_plus"]),
            needs_childcare=rng.random() < 0.2,
            residence_status=rng.choice(["recognised_refugee", "temporary_protection"]))
        envelope = Envelope(type=fact.event_type, source=service_source("intake"),
                            data=fact.model_dump(mode="json"))
        out.append((key.encode(), envelope.to_bytes()))
    return out


async def raw_consume(bootstrap: str, expected: int) -> float:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = [TopicPartition(FACTS.name, p)
                      for p in consumer.partitions_for_topic(FACTS.name)
                      or range(FACTS.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        started, seen = time.perf_counter(), 0
        while seen < expected:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for records in batches.values():
                for record in records:
                    json.loads(record.value)
                    seen += 1
        return time.perf_counter() - started
    finally:
        await consumer.stop()


def run(count: int = 100_000, runs: int = 5) -> list[Figure]:
    month = time.strftime("%Y-%m")
    with broker() as started:
        asyncio.run(produce(started.bootstrap_servers, FACTS.name, facts(count, month)))
        measured = [_one_run(started.bootstrap_servers, count) for _ in range(runs)]
    ratios = [rate / raw_rate for rate, raw_rate, _ in measured]
    middle = measured[ratios.index(statistics.median_low(ratios))]
    rate, raw_rate, details = middle
    ratio = rate / raw_rate
    return [Figure("B1", "monitoring rebuild from the facts topic (median of "
                   f"{runs} runs)", rate, "/s", raw_rate,
                   "raw aiokafka consume + JSON decode (/s)", ratio, "ratio ≥ 0.5",
                   ratio >= 0.5, {**details, "runs": runs,
                                  "ratios": [round(each, 3) for each in ratios]})]


def _one_run(bootstrap: str, count: int) -> tuple[float, float, dict]:
    """The baseline, then the rebuild into a fresh database: their rates and details."""
    raw_seconds = asyncio.run(raw_consume(bootstrap, count))
    with tempfile.TemporaryDirectory() as folder:

        async def rebuilt() -> tuple[float, float, int]:
            async with database(Path(folder), "monitoring") as url:
                settings = MonitoringSettings(_env_file=None, database_url=url,
                                              kafka_bootstrap_servers=bootstrap)
                # The service's database exists before anyone rebuilds it: create its schema
                # first, as the baseline's topic exists before it is read. The rebuild below
                # still checks the migrations, as the command does.
                started = time.perf_counter()
                runtime = build_runtime(settings)
                await runtime.migrate()
                await runtime.engine.dispose()
                schema_seconds = time.perf_counter() - started
                started = time.perf_counter()
                result = await rebuild(settings)
                return time.perf_counter() - started, schema_seconds, result.facts

        seconds, schema_seconds, applied = asyncio.run(rebuilt())
    return count / seconds, count / raw_seconds, {
        "facts": count, "rebuilt": applied, "seconds": round(seconds, 2),
        "raw_seconds": round(raw_seconds, 2), "schema_seconds": round(schema_seconds, 2)}
