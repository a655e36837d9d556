"""Crash consistency: the same stream of arrivals, placements and provider reports goes once
through an undisturbed system and once through a system whose services are SIGKILLed at
random moments (at least ten times, a randomly chosen service each time, restarted at once).
Afterwards every service's tables, projected canonically (see ``canonical``), must be equal:
no effect lost, none duplicated.

Both runs use real processes (``ServiceProcess``), the embedded broker over TCP and their own
databases (PostgreSQL when ``ANKOMMEN_TEST_POSTGRES_URL`` is set, otherwise SQLite files); they
run one after the other so that they do not compete for the machine's two cores. The scenario
(``workload``) is designed so that outcomes do not depend on timing: one fitting course with
free seats per person, unique identities, reports only for placements progress knows.

The randomness is seeded; the seed is printed and recorded, and ``ANKOMMEN_CHAOS_SEED``
replays a run's kill schedule. ``ANKOMMEN_CRASH_CASES`` changes the number of cases (default
10,000).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from datetime import date

import pytest

from ankommen.shared.embedded import SERVICES, EmbeddedBroker, free_port
from ankommen.shared.topics import create_topics
from tests.reliability.canonical import compare
from tests.reliability.scenario import Run
from tests.reliability.stack import Stack, running_stack
from tests.support.databases import DatabaseFactory
from tests.support.figures import record

pytestmark = pytest.mark.timeout(1800)

CASES = int(os.environ.get("ANKOMMEN_CRASH_CASES", "10000"))
KILLS = int(os.environ.get("ANKOMMEN_CRASH_KILLS", "12"))
SECTION = "crash consistency"


def chaos(stack: Stack, rng: random.Random, kills: Counter, log: list[str]):  # noqa: ANN201
    """SIGKILL a random service at random moments, restart it after a random short pause."""

    async def inject() -> None:
        started = time.monotonic()
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(3.0, 14.0))
            victim = rng.choice(list(SERVICES))
            stack.kill(victim)
            kills[victim] += 1
            log.append(f"{time.monotonic() - started:6.1f} s  SIGKILL {victim}")
            await asyncio.sleep(rng.uniform(0.0, 2.0))
            stack.restart(victim)

    return inject


async def run_once(backend: str, folder, today: date, *, disturbed: bool,  # noqa: ANN001
                   rng: random.Random, kills: Counter, log: list[str]):  # noqa: ANN201
    folder.mkdir()
    factory = DatabaseFactory(backend, folder)
    broker = EmbeddedBroker("127.0.0.1", free_port(), log_file=folder / "broker.log").start()
    try:
        await create_topics(broker.bootstrap_servers)
        databases = {name: await factory.url(name) for name in SERVICES}
        with running_stack(broker, databases, folder) as stack:
            run = Run(stack, CASES, today)
            return await run.execute(chaos(stack, rng, kills, log) if disturbed else None)
    finally:
        broker.stop()
        await factory.drop_all()


async def test_killed_services_end_in_the_state_of_an_undisturbed_run(tmp_path):
    backend = "postgres" if os.environ.get("ANKOMMEN_TEST_POSTGRES_URL") else "sqlite"
    seed = int(os.environ.get("ANKOMMEN_CHAOS_SEED", random.SystemRandom().randrange(2**32)))
    print(f"\ncrash consistency: {CASES} cases on {backend}, chaos seed {seed} "
          f"(replay with ANKOMMEN_CHAOS_SEED={seed})")
    rng, kills, log = random.Random(seed), Counter(), []
    today = date.today()

    reference = await run_once(backend, tmp_path / "undisturbed", today, disturbed=False,
                               rng=rng, kills=kills, log=log)
    disturbed = await run_once(backend, tmp_path / "disturbed", today, disturbed=True,
                               rng=rng, kills=kills, log=log)
    print("\n".join(log))

    lost = duplicated = 0
    mismatched = {}
    for service in SERVICES:
        difference = compare(reference.projections[service], disturbed.projections[service])
        lost += difference.total_lost
        duplicated += difference.total_duplicated
        if difference.lost or difference.duplicated:
            mismatched[service] = difference
            print("\n".join(difference.examples))
        print(f"{service:<11} {reference.projections[service].digest[:16]}  "
              f"{disturbed.projections[service].digest[:16]}  "
              f"rows {sum(disturbed.projections[service].row_counts().values())}")
    record(SECTION, "cases", CASES)
    record(SECTION, "backend", backend)
    record(SECTION, "seed", str(seed))
    record(SECTION, "kills", sum(kills.values()))
    record(SECTION, "kills per service", dict(sorted(kills.items())))
    record(SECTION, "events", disturbed.events)
    record(SECTION, "requests resent after a crash", disturbed.resent)
    record(SECTION, "of those committed before the crash", disturbed.committed_before_crash)
    record(SECTION, "lost", lost)
    record(SECTION, "duplicated", duplicated)
    record(SECTION, "services with equal state hash",
           sum(reference.projections[s].digest == disturbed.projections[s].digest
               for s in SERVICES))
    record(SECTION, "undisturbed run (s)", round(reference.duration_s))
    record(SECTION, "disturbed run (s)", round(disturbed.duration_s))

    assert sum(kills.values()) >= 10
    assert not mismatched, {service: (difference.lost, difference.duplicated,
                                      difference.examples[:6])
                            for service, difference in mismatched.items()}
    assert (lost, duplicated) == (0, 0)
    assert reference.events == disturbed.events
