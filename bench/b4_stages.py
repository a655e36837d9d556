"""Where B4's latency goes (issue 21): the pipeline of :mod:`bench.b4_end_to_end` held at one
rate, each registration followed through the stages it crosses, so that a missed p95 is
explained by the stage that holds its tail rather than guessed.

``python -m bench.b4_stages [rate] [seconds]`` — e.g.
``ANKOMMEN_BENCH_BROKER=kafka python -m bench.b4_stages 14 60``. For every registration,
from outside as the benchmark sees it (no test hooks):

- *answered*: intake's 201, from the registration's due time;
- *case written*: the ``CaseRegistered`` envelope's ``time`` (set in intake's unit of work);
- *case sent*: the record's timestamp on the cases topic — the moment intake's relay handed
  it to the producer (cases and placements are linkable topics, stamped when sent);
- *case read*: when this benchmark's own reader of the cases topic received it;
- *decision written* / *sent* / *read*: the same three for assignment's first decision
  (``PlacementOffered`` or ``Waitlisted``) for the pseudonym;
- *visible*: on monitoring's dashboard (matched by rank, as :func:`follow` does).

The wall-clock stamps are moved onto the monotonic clock by one offset taken at the start
(one machine, one clock). Prints p50/p95/p99 of each stage and, for the slowest 5 % end to
end, the mean of each stage: the stage whose share grows in the tail is the tail's cause.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ankommen.shared.events.contracts.intake import CaseRegistered
from ankommen.shared.messaging.topics import CASES, PLACEMENTS
from bench.b3_intake_http import distinct_bodies
from bench.b4_end_to_end import DECISIONS, WARM_UP, follow, measure, pipeline
from bench.harness import broker
from bench.stack import TopicReader
from bench.staircase import percentile

#: Wall clock minus monotonic clock, taken once: turns record and envelope times into the
#: benchmark's monotonic seconds.
WALL_TO_MONOTONIC = time.time() - time.monotonic()
STAGES = ("answered", "case written", "case sent", "case read", "decision written",
          "decision sent", "decision read", "visible")
TAIL_SHARE = 0.95


class StampedReader(TopicReader):
    """The first record of each key of a topic, of the given event types: its envelope time,
    record timestamp and when this reader received it (a :class:`bench.stack.TopicReader`:
    partitions assigned, no group)."""

    def __init__(self, bootstrap: str, topic: str, types: set[str]) -> None:
        super().__init__(bootstrap, topic)
        self.types = types
        self.first: dict[str, tuple[float, float, float]] = {}

    async def _read(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=100, max_records=5000)
            now = time.monotonic()
            for records in batches.values():
                for record in records:
                    envelope = json.loads(record.value)
                    if envelope["type"] not in self.types or not record.key:
                        continue
                    written = datetime.fromisoformat(envelope["time"]).timestamp()
                    self.first.setdefault(record.key.decode(), (
                        written - WALL_TO_MONOTONIC,
                        record.timestamp / 1000 - WALL_TO_MONOTONIC, now))


def stage_times(found: dict[str, Any], cases: dict[str, tuple[float, float, float]],
                decisions: dict[str, tuple[float, float, float]]
                ) -> Iterator[dict[str, float]]:
    """Per followed registration: the time of each stage in ms from its due time."""
    visible = follow(found).visible_by_pseudonym
    for entry in found["sent"]:
        if entry.answered is None or entry.pseudonym is None:
            continue
        shown = visible.get(entry.pseudonym)
        case, decision = cases.get(entry.pseudonym), decisions.get(entry.pseudonym)
        if shown is None or case is None or decision is None:
            continue
        moments = (entry.answered, *case, *decision)
        yield {**{stage: (moment - entry.due) * 1000
                  for stage, moment in zip(STAGES, moments, strict=False)},
               "visible": shown}


def report(rows: list[dict[str, float]]) -> None:
    """Each stage's own duration (from the stage before), at p50/p95/p99 over all, and its
    mean over the slowest 5 % end to end against its mean over all."""
    def step(row: dict[str, float], index: int) -> float:
        return row[STAGES[index]] - (row[STAGES[index - 1]] if index else 0.0)

    tail = sorted(rows, key=lambda row: row["visible"])[int(len(rows) * TAIL_SHARE):]
    print(f"{len(rows)} registrations followed; end to end p50 "
          f"{percentile([row['visible'] for row in rows], 0.5):.0f} ms, p95 "
          f"{percentile([row['visible'] for row in rows], 0.95):.0f} ms")
    print(f"{'stage (from the one before)':32} {'p50':>7} {'p95':>7} {'p99':>7} "
          f"{'mean':>7} {'tail mean':>10}")
    for index, stage in enumerate(STAGES):
        own = [step(row, index) for row in rows]
        in_tail = [step(row, index) for row in tail]
        print(f"{stage:32} {percentile(own, 0.5):7.0f} {percentile(own, 0.95):7.0f} "
              f"{percentile(own, 0.99):7.0f} {sum(own) / len(own):7.0f} "
              f"{sum(in_tail) / max(1, len(in_tail)):10.0f}")


async def trace(bootstrap: str, folder: Path, rate: float, seconds: float) -> None:
    bodies = distinct_bodies()
    async with pipeline(bootstrap, folder, bodies[-WARM_UP:]) as line, \
            StampedReader(bootstrap, CASES.name, {CaseRegistered.event_type}) as cases, \
            StampedReader(bootstrap, PLACEMENTS.name, DECISIONS) as decisions:
        found = await measure(line, bodies[:-WARM_UP], rate, seconds, 60)
    report(list(stage_times(found, cases.first, decisions.first)))


def main(argv: list[str]) -> None:
    rate = float(argv[0]) if argv else 14.0
    seconds = float(argv[1]) if len(argv) > 1 else 60.0
    with broker() as started, tempfile.TemporaryDirectory() as folder:
        asyncio.run(trace(started.bootstrap_servers, Path(folder), rate, seconds))


if __name__ == "__main__":
    main(sys.argv[1:])
