"""A canonical projection of a service's tables, to compare two runs of the same input.

Every table of the service's metadata is read (a new table is compared automatically). What
differs between two runs without meaning anything is left out or replaced by a stable label:

* surrogate ids, timestamps, offsets, retry counters and trace headers (``VOLATILE``);
* ciphertexts and wrapped keys (random nonces and data keys);
* random values that stand for something stable — case ids, pseudonyms, placement ids and
  referral codes — become labels derived from the synthetic case index (``Labels``);
* random record keys of facts become one placeholder, and the Cell Key Method's key sums in
  monitoring (sums of those random keys) are left out.

Everything else is a semantic effect and is kept, and rows are counted (a multiset), so a
duplicated row shows as a difference just like a lost one.

One kind of event is compared by its final value, not by its number: assignment publishes a
seat snapshot (``CourseCapacityFact``) once per allocation batch, so how many there are depends
on how events fall into consumer batches — timing, not effect. Their outbox rows and their
entries in monitoring's intake counters and facts archive are left out; what they say
is compared in assignment's ``capacity_reported`` and monitoring's ``snapshots`` (the last
value per cell), whose choice among equal snapshots (``published_at``, ``rank``, ``key``) is
volatile too, as are the snapshots' ``sequence`` numbers (assignment's ``capacity_sequence``):
they count the snapshots.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine

#: Columns that carry no meaning across runs, per table (``*`` = every service).
VOLATILE: dict[str, set[str]] = {
    "outbox": {"id", "event_id", "created_at", "published_at", "attempts", "last_error",
               "headers"},
    "inbox": {"event_id", "processed_at"},
    "cases": {"created_at"},
    "identities": {"ciphertext"},
    "data_keys": {"wrapped_key"},
    "duplicate_suspicions": {"suspicion_id", "detected_at", "resolved_at"},
    "audit_log": {"entry_id", "at"},
    "reports": {"sequence", "received_at"},
    "cells": {"key_sum"},
    "fact_intake": {"last_published_at"},
    # How many snapshots a cell had (its last one's sequence) depends on batching, too.
    "snapshots": {"published_at", "rank", "key", "sequence"},
    "capacity_sequence": {"sequence"},
    # The archived envelope is compared (without its id and time); its checksum covers both.
    "fact_archive": {"event_id", "checksum", "received_at"},
    # Held facts and decisions on them are compared by what they say, not by id or time.
    "fact_review": {"event_id"},
    "review_decisions": {"event_id", "decided_at"},
    # The ledger's count includes the seat snapshots (batching), its checksum ids and times;
    # the archive rows it sums up are compared one by one.
    "fact_history": {"facts", "checksum"},
    # How many allocation runs there were depends on batching; their results are compared.
    "allocation_lock": {"runs"},
    # Intake's copy of the catalogue: when it learnt a course; assignment's decisions on
    # courses: their id and time.
    "courses": {"changed_at"},
    "course_reviews": {"id", "at"},
    # When intake learnt of a confirmation (the scenario confirms every placement).
    "provider_placements": {"changed_at"},
}
#: Events whose number depends on batching (see the module docstring).
COUNTED_BY_VALUE = {"ankommen.assignment.course_capacity_fact.v1"}
#: Keys inside JSON documents (event envelopes) that are random or times.
VOLATILE_KEYS = {"id", "time"}
RECORD_KEY = "record_key"
RANDOM_RECORD_KEY = "<random record key>"


def service_metadata(service: str) -> MetaData:
    return importlib.import_module(f"ankommen.{service}.adapters.tables").metadata


@dataclass
class Labels:
    """Random values mapped to stable labels (``case:17``, ``referral:17:course-03301`` …)."""

    mapping: dict[str, str] = field(default_factory=dict)
    record_keys: set[str] = field(default_factory=set)

    def add(self, value: object, label: str) -> None:
        self.mapping[str(value)] = label

    def normalise(self, value: Any) -> Any:  # noqa: ANN401 - any column value
        if isinstance(value, dict):
            return {key: (RANDOM_RECORD_KEY if key == RECORD_KEY else self.normalise(item))
                    for key, item in value.items() if key not in VOLATILE_KEYS}
        if isinstance(value, list | tuple):
            return [self.normalise(item) for item in value]
        if isinstance(value, uuid.UUID):
            value = str(value)
        if isinstance(value, bytes):
            return hashlib.sha256(value).hexdigest()
        if isinstance(value, str):
            if value in self.mapping:
                return self.mapping[value]
            if value in self.record_keys:
                return RANDOM_RECORD_KEY
            if value[:1] in "[{":
                try:
                    return {"json": self.normalise(json.loads(value))}
                except ValueError:
                    return value
            return value
        if value is None or isinstance(value, int | float | bool):
            return value
        return str(value)


async def rows(engine: AsyncEngine, metadata: MetaData) -> dict[str, list[dict[str, Any]]]:
    found = {}
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            result = await connection.execute(select(table))
            found[table.name] = [dict(row._mapping) for row in result]
    return found


def collect_record_keys(tables: dict[str, list[dict[str, Any]]], labels: Labels) -> None:
    """Record keys are random per fact: collect them from the outbox payloads."""
    for row in tables.get("outbox", []):
        data = json.loads(row["payload"]).get("data", {})
        if isinstance(data, dict) and RECORD_KEY in data:
            labels.record_keys.add(data[RECORD_KEY])


@dataclass(frozen=True)
class Projection:
    """One service's state as counted canonical rows per table."""

    tables: dict[str, Counter]

    @property
    def digest(self) -> str:
        hasher = hashlib.sha256()
        for name in sorted(self.tables):
            hasher.update(name.encode())
            for row, count in sorted(self.tables[name].items()):
                hasher.update(f"{row}\t{count}\n".encode())
        return hasher.hexdigest()

    def row_counts(self) -> dict[str, int]:
        return {name: sum(counter.values()) for name, counter in self.tables.items()}


def _counted_by_number(name: str, row: dict[str, Any]) -> bool:
    if name == "outbox":
        return row["type"] not in COUNTED_BY_VALUE
    if name in ("fact_intake", "fact_archive"):
        return row["fact_type"] not in COUNTED_BY_VALUE
    return True


def project(tables: dict[str, list[dict[str, Any]]], labels: Labels) -> Projection:
    projected = {}
    for name, table_rows in tables.items():
        volatile = VOLATILE.get(name, set())
        counter: Counter = Counter()
        for row in table_rows:
            if not _counted_by_number(name, row):
                continue
            kept = {column: labels.normalise(value) for column, value in row.items()
                    if column not in volatile}
            counter[json.dumps(kept, sort_keys=True, default=str)] += 1
        projected[name] = counter
    # Monitoring's facts consumer writes no inbox rows (its archive is the record), so no
    # batching-dependent inbox rows are left to take out.
    return Projection(projected)


@dataclass(frozen=True)
class Difference:
    """Rows of the reference missing (lost) and rows beyond it (duplicated or unexpected)."""

    lost: dict[str, int]
    duplicated: dict[str, int]
    examples: list[str]

    @property
    def total_lost(self) -> int:
        return sum(self.lost.values())

    @property
    def total_duplicated(self) -> int:
        return sum(self.duplicated.values())


def compare(reference: Projection, observed: Projection) -> Difference:
    lost, duplicated, examples = {}, {}, []
    for name in sorted(set(reference.tables) | set(observed.tables)):
        expected = reference.tables.get(name, Counter())
        got = observed.tables.get(name, Counter())
        missing, extra = expected - got, got - expected
        if missing:
            lost[name] = sum(missing.values())
            examples += [f"{name} lost: {row}" for row in list(missing)[:2]]
        if extra:
            duplicated[name] = sum(extra.values())
            examples += [f"{name} extra: {row}" for row in list(extra)[:2]]
    return Difference(lost, duplicated, examples)
