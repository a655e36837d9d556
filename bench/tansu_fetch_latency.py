"""Why B4's latency on the embedded broker (Tansu) is several hundred milliseconds even at
5 registrations/s, when the same services on Apache Kafka take ~100 ms — measured on both.

One waiting consumer (aiokafka, ``fetch_max_wait_ms`` 500, the client's default, which the
services keep) and a producer sending one record every 137 ms (not a divisor of the wait);
measured: the time from sending a record to the consumer having it, on a topic with one
partition and on one with six (the services' topics have several). Apache Kafka answers a
fetch as soon as a record is there; Tansu, it turns out, does so on one partition but waits out
the whole ``fetch.max.wait`` when the fetch spans several — so every consumer hop of the
pipeline costs up to half a second there.

``python -m bench.tansu_fetch_latency`` prints one JSON line per broker and topic (Apache
Kafka where Java 17+ and Maven are there, as for ``make bench BROKER=kafka``). Not part of
``make bench``; quoted in docs/performance.md (B4).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from ankommen.tools.apache_kafka import KafkaCluster, KafkaUnavailable
from ankommen.tools.embedded import EmbeddedBroker, free_port

RECORDS = 30
FETCH_MAX_WAIT_MS = 500


async def delivery_latency_ms(bootstrap: str, topic: str, partitions: int) -> list[float]:
    """Send-to-consumed latency of ``RECORDS`` records, one at a time, keys spread over the
    partitions; the consumer is in a group and commits, as the services' consumers do."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"{topic}-probe",
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                fetch_max_wait_ms=FETCH_MAX_WAIT_MS)
    await producer.start()
    await consumer.start()
    try:
        await producer.send_and_wait(topic, b"warm-up", key=b"0")
        await consumer.getone()
        latencies: list[float] = []
        for number in range(RECORDS):
            await asyncio.sleep(0.137)
            started = time.perf_counter()
            await producer.send_and_wait(topic, b"record", key=str(number).encode())
            await consumer.getone()
            latencies.append((time.perf_counter() - started) * 1000)
            await consumer.commit()
        return latencies
    finally:
        await consumer.stop()
        await producer.stop()


async def measure(broker: str, bootstrap: str) -> None:
    for partitions in (1, 6):
        latencies = await delivery_latency_ms(bootstrap, f"probe-{partitions}", partitions)
        print(json.dumps({"broker": broker, "partitions": partitions,
                          "fetch_max_wait_ms": FETCH_MAX_WAIT_MS,
                          "p50_ms": round(statistics.median(latencies), 1),
                          "max_ms": round(max(latencies), 1)}), flush=True)


async def main() -> None:
    tansu = EmbeddedBroker(port=free_port()).start()
    try:
        await measure("tansu", tansu.bootstrap_servers)
    finally:
        tansu.stop()
    with tempfile.TemporaryDirectory(prefix="ankommen-fetch-probe-") as folder:
        try:
            kafka = KafkaCluster(Path(folder)).start()
        except KafkaUnavailable as reason:
            print(json.dumps({"broker": "apache-kafka", "skipped": str(reason)}))
            return
        try:
            await measure("apache-kafka", kafka.bootstrap_servers)
        finally:
            kafka.stop()


if __name__ == "__main__":
    asyncio.run(main())
