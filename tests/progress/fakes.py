"""In-memory fakes of progress's unit of work and its repositories, so that the service
layer's tests (``tests/progress/unit/test_service_*.py``) run without a database or a broker.

They answer as the real repositories (:mod:`ankommen.progress.adapters.repository`,
``refused_reports``, the shared ``ParkedEvents``) do on every method the service layer calls
— ordering, uniqueness, "not found" as a missing key — which
``tests/progress/integration/test_fakes_match_repositories.py`` checks against the real ones.

A fake unit works on a copy of the fake database's tables and writes it back only when
committed, as a transaction would: a use case that forgets its commit, or refuses before it,
leaves nothing behind, and its published events are not kept either.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from ankommen.progress.adapters.refused_reports import RefusedReport
from ankommen.progress.adapters.repository import NewReport, StoredReport
from ankommen.progress.domain.cases import KnownCase
from ankommen.progress.domain.catalogue import Course, Placement
from ankommen.progress.domain.problems import Problem
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.progress import Report
from ankommen.shared.events.envelope import Envelope, EventData
from ankommen.shared.events.provenance import provenance_of, service_source
from ankommen.shared.events.registry import DecodedEvent, registry

SOURCE = service_source("progress")
#: A moment in the middle of a course of the unit tests' placement (tests/progress/unit).
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class DuplicateKey(Exception):
    """What the database's primary key or unique index refuses (an ``IntegrityError``)."""


@dataclass
class _ReportRow:
    sequence: int
    provider_id: str
    pseudonym: str
    channel: str
    received_at: datetime
    report: Report


@dataclass
class _RefusedRow:
    id: int
    provider_id: str
    refused: RefusedReport


@dataclass
class _ParkedRow:
    id: int
    key: str
    event: DecodedEvent
    reason: str


@dataclass
class Tables:
    """Progress's tables as the fakes keep them."""

    cases: dict[str, KnownCase] = field(default_factory=dict[str, KnownCase])
    #: A course with its status as assignment announced it.
    courses: dict[str, tuple[Course, str]] = field(default_factory=dict[str, tuple[Course, str]])
    placements: dict[str, Placement] = field(default_factory=dict[str, Placement])
    reports: list[_ReportRow] = field(default_factory=list[_ReportRow])
    refused: list[_RefusedRow] = field(default_factory=list[_RefusedRow])
    parked: list[_ParkedRow] = field(default_factory=list[_ParkedRow])
    #: Per table the last id given (autoincrement: never reused).
    last_ids: dict[str, int] = field(default_factory=dict[str, int])

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


@dataclass(frozen=True)
class Published:
    data: EventData
    key: str
    subject: str | None


class FakeKnownCases:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, case: KnownCase) -> None:
        if case.pseudonym in self._tables.cases:
            raise DuplicateKey(f"known_cases.pseudonym {case.pseudonym}")
        self._tables.cases[case.pseudonym] = case
        for code, placement in self._tables.placements.items():
            if placement.pseudonym == case.pseudonym and placement.level_at_start is None:
                self._tables.placements[code] = replace(placement,
                                                        level_at_start=case.german_level)

    async def known(self, pseudonym: str) -> bool:
        return pseudonym in self._tables.cases

    async def set_level(self, pseudonym: str, level: str) -> None:
        case = self._tables.cases.get(pseudonym)
        if case is not None:
            self._tables.cases[pseudonym] = replace(case, german_level=level)

    async def count(self) -> int:
        return len(self._tables.cases)


class FakeCatalogue:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def save_course(self, course: Course, status: str) -> None:
        self._tables.courses[course.course_id] = (course, status)

    async def cancel_course(self, course_id: str) -> None:
        if course_id in self._tables.courses:
            course, _ = self._tables.courses[course_id]
            self._tables.courses[course_id] = (course, "cancelled")

    async def save_placement(self, placement: Placement) -> None:
        stored = self._tables.placements.get(placement.referral_code)
        if stored is not None:
            # The level at start stays what it was when the seat was first offered.
            self._tables.placements[placement.referral_code] = replace(
                placement, level_at_start=stored.level_at_start)
            return
        case = self._tables.cases.get(placement.pseudonym)
        self._tables.placements[placement.referral_code] = replace(
            placement, level_at_start=case.german_level if case else None)

    async def placements(self, referral_codes: Iterable[str]) -> dict[str, Placement]:
        return {code: self._tables.placements[code] for code in sorted(set(referral_codes))
                if code in self._tables.placements}

    async def courses(self, course_ids: Iterable[str]) -> dict[str, Course]:
        return {course_id: _course(*self._tables.courses[course_id])
                for course_id in sorted(set(course_ids)) if course_id in self._tables.courses}

    async def placements_of_provider(self, provider_id: str) -> list[Placement]:
        return [placement for _, placement in sorted(self._tables.placements.items())
                if placement.provider_id == provider_id]


def _course(course: Course, status: str) -> Course:
    return replace(course, cancelled=status == "cancelled")


class FakeReports:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def histories(self, referral_codes: Iterable[str]) -> dict[str, list[StoredReport]]:
        codes = set(referral_codes)
        result: dict[str, list[StoredReport]] = {}
        for row in sorted(self._tables.reports, key=lambda row: row.sequence):
            if row.report.referral_code in codes:
                result.setdefault(row.report.referral_code, []).append(StoredReport(
                    sequence=row.sequence, provider_id=row.provider_id, channel=row.channel,
                    received_at=row.received_at, report=row.report))
        return result

    async def existing(self, provider_id: str, report_ids: Iterable[str]) -> dict[str, Report]:
        ids = set(report_ids)
        return {row.report.report_id: row.report for row in self._tables.reports
                if row.provider_id == provider_id and row.report.report_id in ids}

    async def add_all(self, new_reports: Sequence[NewReport]) -> None:
        taken = {(row.provider_id, row.report.report_id) for row in self._tables.reports}
        for new in new_reports:
            identity = (new.provider_id, new.report.report_id)
            if identity in taken:
                raise DuplicateKey(f"reports {identity}")
            taken.add(identity)
        for new in new_reports:
            self._tables.reports.append(_ReportRow(
                self._tables.next_id("reports"), new.provider_id, new.pseudonym, new.channel,
                new.received_at, new.report))


class FakePseudonyms:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def erase(self, pseudonym: str) -> None:
        tables = self._tables
        tables.cases.pop(pseudonym, None)
        tables.placements = {code: placement for code, placement in tables.placements.items()
                             if placement.pseudonym != pseudonym}
        tables.reports = [row for row in tables.reports if row.pseudonym != pseudonym]

    async def merge(self, merged: str, surviving: str) -> None:
        tables = self._tables
        if merged in tables.cases:
            case = tables.cases.pop(merged)
            if surviving not in tables.cases:
                tables.cases[surviving] = replace(case, pseudonym=surviving)
        for code, placement in tables.placements.items():
            if placement.pseudonym == merged:
                tables.placements[code] = replace(placement, pseudonym=surviving)
        for row in tables.reports:
            if row.pseudonym == merged:
                row.pseudonym = surviving


class FakeRefusedReports:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add_all(self, provider_id: str, channel: str, refused_at: datetime,
                      rows: list[tuple[str | None, str | None, str | None, list[Problem]]]
                      ) -> None:
        for report_id, code, kind, problems in rows:
            self._tables.refused.append(_RefusedRow(
                self._tables.next_id("refused_reports"), provider_id, RefusedReport(
                    refused_at, channel, _cut(report_id, 64), _cut(code, 64), _cut(kind, 20),
                    [replace(problem, field=problem.field[:100], reason=problem.reason[:300],
                             error_type=None)
                     for problem in problems])))

    async def of_provider(self, provider_id: str, limit: int) -> list[RefusedReport]:
        rows = sorted((row for row in self._tables.refused if row.provider_id == provider_id),
                      key=lambda row: (row.refused.refused_at, row.id), reverse=True)
        return [row.refused for row in rows[:limit]]

    async def delete_before(self, moment: datetime) -> int:
        kept = [row for row in self._tables.refused if row.refused.refused_at >= moment]
        gone = len(self._tables.refused) - len(kept)
        self._tables.refused = kept
        return gone


def _cut(value: str | None, length: int) -> str | None:
    return value[:length] if isinstance(value, str) else None


class FakeParkedEvents:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def park(self, key: str, event: DecodedEvent, reason: str) -> None:
        self._tables.parked.append(_ParkedRow(self._tables.next_id("parked_events"), key, event,
                                              reason[:200]))

    async def take(self, keys: Sequence[str]) -> list[DecodedEvent]:
        wanted = set(keys)
        taken = [row for row in self._tables.parked if row.key in wanted]
        self._tables.parked = [row for row in self._tables.parked if row.key not in wanted]
        return [row.event for row in sorted(taken, key=lambda row: row.id)]

    async def forget(self, key: str) -> int:
        kept = [row for row in self._tables.parked if row.key != key]
        gone = len(self._tables.parked) - len(kept)
        self._tables.parked = kept
        return gone

    async def count(self) -> int:
        return len(self._tables.parked)


@dataclass
class FakeDatabase:
    """What the fake units commit to: the tables, the events published (in order) and the
    keys whose published events were forgotten (an erasure)."""

    tables: Tables = field(default_factory=Tables)
    published: list[Published] = field(default_factory=list[Published])
    forgotten: list[str] = field(default_factory=list[str])
    commits: int = 0


class FakeUnitOfWork:
    """Progress's unit of work in memory: the same repositories and ``publish``, ``commit``
    and ``clock`` the service layer uses."""

    def __init__(self, database: FakeDatabase, clock: MovableClock) -> None:
        self.database = database
        self.clock = clock
        self._begin()

    def _begin(self) -> None:
        self.tables = copy.deepcopy(self.database.tables)
        #: Published in this unit and not yet committed.
        self.pending: list[Published] = []
        self._forgotten: list[str] = []
        self.cases = FakeKnownCases(self.tables)
        self.catalogue = FakeCatalogue(self.tables)
        self.reports = FakeReports(self.tables)
        self.pseudonyms = FakePseudonyms(self.tables)
        self.refused_reports = FakeRefusedReports(self.tables)
        self.parked_events = FakeParkedEvents(self.tables)

    async def __aenter__(self) -> Self:
        self._begin()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        self._begin()

    async def publish(self, data: EventData, *, key: str, subject: str | None = None
                      ) -> Envelope:
        """As the real unit: only events progress owns, into the outbox (here: ``pending``)."""
        provenance = provenance_of(type(data))
        if provenance is None or provenance.source != SOURCE:
            raise ValueError(f"{data.event_type} is not published by progress")
        self.pending.append(Published(data, key, subject))
        return registry.envelope(data, source=SOURCE, subject=subject,
                                 time=data.stamped_time(self.clock.now()))

    async def forget_published_events(self, key: str) -> None:
        self._forgotten.append(key)

    async def commit(self) -> None:
        database = self.database
        database.tables = copy.deepcopy(self.tables)
        database.published += self.pending
        database.forgotten += self._forgotten
        database.commits += 1
        self.pending, self._forgotten = [], []


class FakeUnits:
    """``runtime.uow`` in memory: every unit it builds works on the same fake database."""

    def __init__(self, clock: MovableClock | None = None) -> None:
        self.database = FakeDatabase()
        self.clock = clock or MovableClock(START)

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.database, self.clock)

    @property
    def published(self) -> list[EventData]:
        """The committed events' payloads, in the order they were published."""
        return [item.data for item in self.database.published]
