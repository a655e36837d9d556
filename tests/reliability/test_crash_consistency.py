"""Crash consistency: the same stream of arrivals, placements and provider reports goes once
through an undisturbed system and once through a system whose processes are SIGKILLed at
random moments (at least ten times, a randomly chosen service or outbox relay each time,
restarted at once). Both run each publishing service's outbox relay in a process of its own
(``<service> relay``, as ``make run`` and compose do), and the relays are among the victims:
a relay killed between publishing and stamping sends its rows again, which the consumers'
inboxes must absorb.
Afterwards every service's tables, projected canonically (see ``canonical``), must be equal:
no effect lost, none duplicated.

Both runs use real processes (``ServiceProcess``), the session's Apache Kafka (each run on
freshly created topics, so no message or consumer offset of the first reaches the second) and
their own databases (PostgreSQL when ``ANKOMMEN_TEST_POSTGRES_URL`` is set, otherwise SQLite
files); they run one after the other so that they do not compete for the machine's two cores.
The scenario (``workload``) is designed so that outcomes do not depend on timing: one fitting
course with free seats per person, unique identities, reports only for placements progress
knows.

The randomness is seeded; the seed is printed and recorded, and ``ANKOMMEN_CHAOS_SEED``
replays a run's kill schedule. ``ANKOMMEN_CRASH_CASES`` changes the number of cases: 500 by
default (``make test``), 10,000 in ``make verify``.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from ankommen.shared.stack import PUBLISHING_SERVICES, SERVICES
from tests.reliability import workload
from tests.reliability.canonical import compare
from tests.reliability.scenario import Run, RunResult
from tests.reliability.stack import Stack, running_stack
from tests.support.brokers import fresh_topics, kafka_description
from tests.support.county_day import county_today
from tests.support.databases import DatabaseFactory
from tests.support.figures import record
from tests.support.polling import eventually

CASES = int(os.environ.get("ANKOMMEN_CRASH_CASES", "500"))
KILLS = int(os.environ.get("ANKOMMEN_CRASH_KILLS", "12"))

# A guard against a hang, not a measure: on a two-core machine that others share, one run of
# 10,000 cases took 1,000 s (undisturbed), so allow 0.4 s per case for the two runs.
pytestmark = pytest.mark.timeout(600 + 0.4 * CASES)
SECTION = "crash consistency"
#: The separate outbox relay processes, killed as the services are.
RELAYS = [f"{name}-relay" for name in PUBLISHING_SERVICES]
VICTIMS = [*SERVICES, *RELAYS]


@dataclass
class Chaos:
    """The disturbed run's kill schedule (seeded) and what it did."""

    rng: random.Random
    kills: Counter = field(default_factory=Counter)
    #: (seconds after the stream began, cases fed by then, victim) of every kill.
    schedule: list[tuple[float, int, str]] = field(default_factory=list)

    def injector(self, stack: Stack, fed: Callable[[], int]) -> Callable[[], Awaitable[None]]:
        """SIGKILL a random service or relay at random moments (a relay at least once),
        restart it after a random short pause.

        The moments are points of the stream — after so many cases were fed (``fed()``) —
        rather than seconds, so that every kill falls while cases still arrive, whatever the
        size of the run (500 cases in ``make test``, 10,000 in ``make verify``) and however
        busy the machine."""
        points = sorted(self.rng.sample(range(1, CASES - 1), KILLS))
        victims = [self.rng.choice(VICTIMS) for _ in points]
        if not set(victims) & set(RELAYS):
            victims[self.rng.randrange(len(victims))] = self.rng.choice(RELAYS)

        async def inject() -> None:
            started = time.monotonic()
            for point, victim in zip(points, victims, strict=True):
                await eventually(lambda: asyncio.sleep(0, fed()),
                                 until=lambda count, point=point: count >= point,
                                 timeout=600, what=f"{point} cases fed")
                stack.kill(victim)
                self.kills[victim] += 1
                self.schedule.append((time.monotonic() - started, fed(), victim))
                await asyncio.sleep(self.rng.uniform(0.0, 2.0))
                stack.restart(victim)

        return inject

    def during(self, seconds: float) -> int:
        """How many kills fell within the first ``seconds`` of the stream."""
        return sum(at < seconds for at, _, _ in self.schedule)

    def log(self) -> str:
        return "\n".join(f"{at:6.1f} s  {fed:>6} cases fed  SIGKILL {victim}"
                         for at, fed, victim in self.schedule)


async def run_once(bootstrap: str, backend: str, folder: Path, today: date,
                   disturb: Chaos | None = None) -> RunResult:
    """One run on fresh topics and databases, killed by ``disturb`` if given."""
    folder.mkdir()  # noqa: ASYNC240 - one directory, before anything runs
    factory = DatabaseFactory(backend, folder)
    await fresh_topics(bootstrap, providers=(workload.PROVIDER,))
    try:
        databases = {name: await factory.url(name) for name in SERVICES}
        with running_stack(bootstrap, databases, folder, separate_relays=True) as stack:
            run = Run(stack, CASES, today)
            return await run.execute(disturb.injector(stack, lambda: len(run.case_ids))
                                     if disturb else None)
    finally:
        await factory.drop_all()


async def test_killed_services_end_in_the_state_of_an_undisturbed_run(kafka, tmp_path):  # noqa: ANN001
    backend = "postgres" if os.environ.get("ANKOMMEN_TEST_POSTGRES_URL") else "sqlite"
    seed = int(os.environ.get("ANKOMMEN_CHAOS_SEED", random.SystemRandom().randrange(2**32)))
    print(f"\ncrash consistency: {CASES} cases on {backend}, chaos seed {seed} "
          f"(replay with ANKOMMEN_CHAOS_SEED={seed})")
    chaos = Chaos(random.Random(seed))
    today = county_today()

    reference = await run_once(kafka.bootstrap_servers, backend, tmp_path / "undisturbed", today)
    disturbed = await run_once(kafka.bootstrap_servers, backend, tmp_path / "disturbed", today,
                               chaos)
    kills = chaos.kills
    print(chaos.log())

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
    record(SECTION, "broker", kafka_description())
    record(SECTION, "seed", str(seed))
    record(SECTION, "kills", sum(kills.values()))
    record(SECTION, "kills per service", dict(sorted(kills.items())))
    record(SECTION, "kills while cases were still being fed", chaos.during(disturbed.stream_s))
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
    assert sum(kills[relay] for relay in RELAYS) >= 1
    assert not mismatched, {service: (difference.lost, difference.duplicated,
                                      difference.examples[:6])
                            for service, difference in mismatched.items()}
    assert (lost, duplicated) == (0, 0)
    assert reference.events == disturbed.events
