"""The outbox relay in its own process (``ankommen-intake relay``, issue 21 item 2): two of
them on one database send each row once, in commit order per key, within milliseconds of the
commit — woken by ``pg_notify`` on PostgreSQL and ``PRAGMA data_version`` on SQLite — and one
stopped by SIGTERM exits cleanly while the other goes on."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.messaging.relay_wakeup import outbox_notice
from ankommen.shared.settings import OutboxRelayMode
from tests.shared.integration.test_outbox_relay import make_outbox, received
from tests.support.figures import record
from tests.support.polling import eventually
from tests.support.services import settings_for
from tests.support.surveys import survey

EVENTS = 240
KEYS = 4


def start_relay(database_url: str, bootstrap: str, log: Path) -> subprocess.Popen:
    environment = {**os.environ, "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                   "ANKOMMEN_INTAKE_DATABASE_URL": database_url,
                   "ANKOMMEN_INTAKE_OUTBOX_RELAY": "separate", "ANKOMMEN_LOG_LEVEL": "INFO",
                   # Woken or never: without the wake-up the relays would look once an hour,
                   # and the test's poll deadlines would run out long before.
                   "ANKOMMEN_INTAKE_OUTBOX_RELAY_POLL_SECONDS": "3600"}
    return subprocess.Popen([sys.executable, "-m", "ankommen.intake", "relay"], env=environment,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def unstamped(sessions, tables) -> int:  # noqa: ANN001
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(tables.outbox).where(
            tables.outbox.c.published_at.is_(None)))


def percentile(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(share * len(values)))]


async def test_two_relay_processes_send_each_row_once_in_order_within_milliseconds(
        kafka, databases, tmp_path):  # noqa: ANN001
    url = await databases.url("intake")
    engine, sessions, tables, uow = await make_outbox(url)
    if engine.dialect.name == "postgresql":  # as the web process does in separate mode
        uow.outbox_notice = outbox_notice("intake")
    logs = [tmp_path / "relay-1.log", tmp_path / "relay-2.log"]
    relays = [start_relay(url, kafka.bootstrap_servers, log) for log in logs]
    try:
        await eventually(lambda: asyncio.sleep(0, [log.read_text() for log in logs]),
                         until=lambda texts: all("outbox relay running" in t for t in texts),
                         timeout=60, what="both relays running")
        # A first event, sent before the measured ones: the relay's first round checks its
        # topics and fetches their metadata (up to a second on the loaded machine).
        warm = secrets.token_urlsafe(24)
        async with uow() as unit:
            await unit.publish(CaseRegistered(pseudonym=warm, survey=Survey(**survey()),
                                              registered_on=date(2026, 1, 1)), key=warm)
            await unit.commit()
        await eventually(lambda: unstamped(sessions, tables), until=lambda count: count == 0,
                         what="the first event sent")
        keys = [secrets.token_urlsafe(24) for _ in range(KEYS)]
        written: list[tuple[str, str]] = []
        committed: dict[str, float] = {}
        for index in range(EVENTS):
            key = keys[index % KEYS]
            async with uow() as unit:
                envelope = await unit.publish(CaseRegistered(
                    pseudonym=key, survey=Survey(**survey()),
                    registered_on=date(2026, 1, 1 + index % 28)), key=key)
                await unit.commit()
            committed[envelope.id] = time.time()
            written.append((key, envelope.id))
            if index == EVENTS // 2:
                relays[0].send_signal(signal.SIGTERM)  # the other one takes over
            await asyncio.sleep(0.005)  # arrivals spread out, as requests come
        assert relays[0].wait(15) == 0, logs[0].read_text()[-2000:]
        assert "outbox relay stopped" in logs[0].read_text()

        ours = {key.encode() for key in keys}
        records = await received(kafka, lambda record: record.key in ours, EVENTS)
        assert len(records) == EVENTS  # none twice
        for key in keys:
            assert [json.loads(r.value)["id"] for r in records if r.key == key.encode()] == [
                event_id for written_key, event_id in written if written_key == key]
        async with sessions() as session:
            stamped = dict((await session.execute(
                select(tables.outbox.c.event_id, tables.outbox.c.published_at)
                .where(tables.outbox.c.event_id.in_(list(committed))))).all())
    finally:
        for relay in relays:
            if relay.poll() is None:
                relay.kill()
                relay.wait(10)
        await engine.dispose()
    latency_ms = [((stamped[event_id].replace(tzinfo=UTC) if stamped[event_id].tzinfo is None
                    else stamped[event_id]) - datetime.fromtimestamp(committed[event_id], UTC)
                   ).total_seconds() * 1000 for event_id in committed]
    p50, p95 = statistics.median(latency_ms), percentile(latency_ms, 0.95)
    backend = engine.dialect.name
    print(f"\n{backend}: commit to acknowledged publish p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    record("separate relay", f"{backend} commit to publish p50 (ms)", round(p50, 1))
    record("separate relay", f"{backend} commit to publish p95 (ms)", round(p95, 1))
    # Woken, not polled, is proven by the hour-long idle poll above: the latency is reported
    # (about 5 ms p50 on a quiet machine), never asserted.


def test_the_web_process_leaves_the_relay_to_the_relay_process_when_separate(databases,  # noqa: ANN001
                                                                              tmp_path):  # noqa: ANN001
    from ankommen.intake.app import build_runtime

    backend = databases.backend
    url = (f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}" if backend == "sqlite"
           else "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    separate = build_runtime(settings_for("intake", database_url=url,
                                          outbox_relay=OutboxRelayMode.SEPARATE))
    inline = build_runtime(settings_for("intake", database_url=url))
    assert not separate.settings.relays_in_web_process
    assert inline.settings.relays_in_web_process
    assert inline.uow.outbox_notice is None
    assert (separate.uow.outbox_notice is not None) == (backend == "postgres")


def test_the_embedded_stack_starts_a_relay_for_every_service_that_publishes() -> None:
    import importlib

    from ankommen.shared.stack import PUBLISHING_SERVICES, SERVICES

    publishing = {name for name in SERVICES
                  if importlib.import_module(f"ankommen.{name}.app").DEFINITION.publishes}
    assert publishing == set(PUBLISHING_SERVICES)
