"""Progress's repositories: every query of the service lives here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    ColumnElement,
    Row,
    String,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.schema import Column

from ankommen.progress.adapters.tables import courses, known_cases, placements, reports
from ankommen.progress.domain.cases import KnownCase
from ankommen.progress.domain.catalogue import Course, Placement, PlacementStatus
from ankommen.shared.events.contracts.progress import Report

REPORT = TypeAdapter(Report)


async def _serialise_per_case(session: AsyncSession, pseudonym: str) -> None:
    """On PostgreSQL, one transaction at a time per case for the writes that depend on each
    other across topics (SQLite serialises every write transaction anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(
            func.hashtextextended(pseudonym, 0))))


def among(session: AsyncSession, column: Column[str], values: Iterable[str]) -> ColumnElement[bool]:
    """``column`` is one of ``values``: the batch lookups (a whole upload batch of report ids,
    referral codes, course ids at once).

    On PostgreSQL this is ``column = ANY($n)`` with **one array parameter**, not an ``IN`` list
    of one bind per value. asyncpg prepares every statement and PostgreSQL switches a prepared
    statement to its *generic* plan after five executions. The idempotency check's generic plan
    (1,000-bind ``IN`` list, unique index ``(provider_id, report_id)``, a table growing faster
    than autovacuum analyses it) probed the index by the provider alone and filtered the ids row
    by row over every report of the provider: each batch grew with the table, the upload
    quadratically (issue 21; 1.6 s per batch at 20,000 rows). Measured (the plan trap in
    docs/decisions/0003-progress-bulk-path.md): the array parameter alone still grew (the same
    provider-only probe), the reordered index ``(report_id, provider_id)`` alone nearly fixed it
    (1,000 binds still planned per batch: 4.6 → 7.6 ms), both together are flat (1.9 ms per
    batch at any size) — an unknown array is estimated at ten elements, so an index probe per
    value is the generic plan, and one statement text serves every batch size. ``unnest`` joins and
    ``plan_cache_mode=force_custom_plan`` fell back to scans of the provider's reports.

    SQLite has no plan cache and searches the unique index by both columns for an ``IN`` list;
    it keeps the portable ``IN``."""
    distinct = sorted(set(values))
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(f"{column.name}_values", distinct,
                                        type_=ARRAY(String)))
    return column.in_(distinct)


class KnownCaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: KnownCase) -> None:
        await _serialise_per_case(self._session, case.pseudonym)
        await self._session.execute(insert(known_cases).values(
            pseudonym=case.pseudonym, registered_on=case.registered_on,
            german_level=case.german_level))
        # Cases and placements come on different topics: a placement may have arrived first.
        # It then gets the level from the registration, as if the events had come in order.
        await self._session.execute(update(placements).where(
            placements.c.pseudonym == case.pseudonym, placements.c.level_at_start.is_(None),
        ).values(level_at_start=case.german_level))

    async def known(self, pseudonym: str) -> bool:
        return await self._session.scalar(select(known_cases.c.pseudonym).where(
            known_cases.c.pseudonym == pseudonym)) is not None

    async def set_level(self, pseudonym: str, level: str) -> None:
        await self._session.execute(update(known_cases).where(
            known_cases.c.pseudonym == pseudonym).values(german_level=level))

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(known_cases)) or 0


class CatalogueRepository:
    """Courses and placements as assignment announced them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save_course(self, course: Course, status: str) -> None:
        values = {"provider_id": course.provider_id, "title": course.title,
                  "course_type": course.course_type, "region_key": course.region_key,
                  "starts_on": course.starts_on, "ends_on": course.ends_on,
                  "hours": course.hours, "status": status}
        if await self._session.scalar(select(courses.c.course_id).where(
                courses.c.course_id == course.course_id)):
            await self._session.execute(update(courses).where(
                courses.c.course_id == course.course_id).values(**values))
        else:
            await self._session.execute(insert(courses).values(
                course_id=course.course_id, **values))

    async def cancel_course(self, course_id: str) -> None:
        await self._session.execute(update(courses).where(
            courses.c.course_id == course_id).values(status="cancelled"))

    async def save_placement(self, placement: Placement) -> None:
        values = {"placement_id": placement.placement_id, "pseudonym": placement.pseudonym,
                  "course_id": placement.course_id, "provider_id": placement.provider_id,
                  "status": placement.status.value}
        if await self._session.scalar(select(placements.c.referral_code).where(
                placements.c.referral_code == placement.referral_code)):
            await self._session.execute(update(placements).where(
                placements.c.referral_code == placement.referral_code).values(**values))
        else:
            # The level at start is the case's level when the seat is first offered; read in
            # the insert itself and serialised with the case's registration, so that whichever
            # of the two events (different topics) commits first, the level ends up set.
            await _serialise_per_case(self._session, placement.pseudonym)
            level = select(known_cases.c.german_level).where(
                known_cases.c.pseudonym == placement.pseudonym).scalar_subquery()
            await self._session.execute(insert(placements).values(
                referral_code=placement.referral_code, level_at_start=level, **values))

    async def placements(self, referral_codes: Iterable[str]) -> dict[str, Placement]:
        rows = (await self._session.execute(select(placements).where(
            among(self._session, placements.c.referral_code, referral_codes)))).all()
        return {row.referral_code: _placement(row) for row in rows}

    async def courses(self, course_ids: Iterable[str]) -> dict[str, Course]:
        rows = (await self._session.execute(select(courses).where(
            among(self._session, courses.c.course_id, course_ids)))).all()
        return {row.course_id: _course(row) for row in rows}

    async def placements_of_provider(self, provider_id: str) -> list[Placement]:
        rows = (await self._session.execute(select(placements).where(
            placements.c.provider_id == provider_id).order_by(placements.c.referral_code))).all()
        return [_placement(row) for row in rows]


def _placement(row: Row[*tuple[Any, ...]]) -> Placement:
    return Placement(referral_code=row.referral_code, placement_id=row.placement_id,
                     pseudonym=row.pseudonym,
                     course_id=row.course_id, provider_id=row.provider_id,
                     status=PlacementStatus(row.status), level_at_start=row.level_at_start)


def _course(row: Row[*tuple[Any, ...]]) -> Course:
    return Course(course_id=row.course_id, provider_id=row.provider_id, title=row.title,
                  course_type=row.course_type, region_key=row.region_key,
                  starts_on=row.starts_on, ends_on=row.ends_on, hours=row.hours,
                  cancelled=row.status == "cancelled")


@dataclass(frozen=True)
class StoredReport:
    sequence: int
    provider_id: str
    channel: str
    received_at: datetime
    report: Report


@dataclass(frozen=True)
class NewReport:
    provider_id: str
    pseudonym: str
    channel: str
    received_at: datetime
    report: Report


class ReportRepository:
    """The append-only report history."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def histories(self, referral_codes: Iterable[str]) -> dict[str, list[StoredReport]]:
        """Each referral code's reports in the order received (one query for a batch)."""
        rows = (await self._session.execute(select(reports).where(
            among(self._session, reports.c.referral_code, referral_codes)).order_by(
            reports.c.sequence))).all()
        result: dict[str, list[StoredReport]] = defaultdict(list)
        for row in rows:
            result[row.referral_code].append(StoredReport(
                sequence=row.sequence, provider_id=row.provider_id, channel=row.channel,
                received_at=row.received_at, report=REPORT.validate_json(row.body)))
        return result

    async def existing(self, provider_id: str, report_ids: Iterable[str]
                       ) -> dict[str, Report]:
        """This provider's reports among ``report_ids`` (the idempotency check)."""
        rows = (await self._session.execute(select(reports.c.report_id, reports.c.body).where(
            reports.c.provider_id == provider_id,
            among(self._session, reports.c.report_id, report_ids)))).all()
        return {row.report_id: REPORT.validate_json(row.body) for row in rows}

    async def add_all(self, new_reports: Sequence[NewReport]) -> None:
        """One bulk insert for a whole batch."""
        if not new_reports:
            return
        await self._session.execute(insert(reports), [{
            "provider_id": new.provider_id, "report_id": new.report.report_id,
            "referral_code": new.report.referral_code, "pseudonym": new.pseudonym,
            "kind": new.report.kind, "corrects_report_id": new.report.corrects_report_id,
            "body": new.report.model_dump_json(), "channel": new.channel,
            "received_at": new.received_at} for new in new_reports])


class ErasureRepository:
    """Erasure and merges touch every table holding a pseudonym."""

    TABLES = (known_cases, placements, reports)

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def erase(self, pseudonym: str) -> None:
        for table in self.TABLES:
            await self._session.execute(delete(table).where(table.c.pseudonym == pseudonym))

    async def merge(self, merged: str, surviving: str) -> None:
        if await self._session.scalar(select(known_cases.c.pseudonym).where(
                known_cases.c.pseudonym == surviving)):
            await self._session.execute(delete(known_cases).where(
                known_cases.c.pseudonym == merged))
        for table in self.TABLES:
            await self._session.execute(update(table).where(
                table.c.pseudonym == merged).values(pseudonym=surviving))
