"""In-memory stand-ins for assignment's unit of work and repositories: service-layer tests run
the use cases and event handlers on them without a database or a broker.

A :class:`FakeDatabase` holds the committed state; each :class:`FakeUnitOfWork` works on a
copy taken when its block is entered and hands it back only on ``commit()`` — so a refusal
(an exception) or a block left without a commit leaves the database and its published events
as they were, as the real unit does. The repositories answer as the real ones do on every
method the service layer calls (ordering, uniqueness, "not found"); the contract test
``tests/assignment/integration/test_fakes_match_repositories.py`` holds them to it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Self

from sqlalchemy.exc import IntegrityError

from ankommen.assignment.adapters.catalogue import CourseReview
from ankommen.assignment.adapters.coordination import ManualPlacementEntry
from ankommen.assignment.adapters.placements import TURNED_DOWN
from ankommen.assignment.domain.capacity import SeatFigures
from ankommen.assignment.domain.courses import BOOKABLE, Seats
from ankommen.assignment.domain.lifecycle import BEFORE_START
from ankommen.assignment.domain.placement import (
    ACTIVE,
    UNDECIDED_BY_PROGRESS,
    OfferRow,
    PlacementRecord,
    PlacementStatus,
)
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.assignment import Course, CourseApproval, CourseStatus
from ankommen.shared.events.contracts.intake import Survey
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.provenance import provenance_of, service_source
from ankommen.shared.events.registry import DecodedEvent

SOURCE = service_source("assignment")


def _duplicate(what: str) -> IntegrityError:
    """What the database answers to a second row with the same key."""
    return IntegrityError(f"INSERT INTO {what}", None, Exception(f"UNIQUE constraint failed: "
                                                                  f"{what}"))


@dataclass
class CaseRow:
    survey: Survey
    registered_on: date
    closed: bool = False
    previous_provider_id: str | None = None


@dataclass
class Tables:
    """Everything assignment stores, as plain Python values."""

    waiting: dict[str, WaitingPerson] = field(default_factory=dict)
    cases: dict[str, CaseRow] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    placements: dict[str, PlacementRecord] = field(default_factory=dict)
    reviews: list[CourseReview] = field(default_factory=list)
    manual: list[ManualPlacementEntry] = field(default_factory=list)
    capacity: dict[str, SeatFigures] = field(default_factory=dict)
    sequences: dict[tuple[str, str], int] = field(default_factory=dict)
    #: (key, event), in the order parked.
    parked: list[tuple[str, DecodedEvent]] = field(default_factory=list)
    allocation_runs: int = 0


@dataclass(frozen=True)
class Published:
    data: EventData
    key: str
    subject: str | None


class FakeDatabase:
    """The committed state, the events committed units published (in order), and counts."""

    def __init__(self, clock: MovableClock | None = None) -> None:
        self.tables = Tables()
        self.clock = clock or MovableClock(datetime(2031, 3, 2, 9, tzinfo=UTC))
        self.published: list[Published] = []
        self.commits = 0
        #: Keys whose published outbox rows a unit asked to forget (an erased person).
        self.forgotten: list[str] = []

    def uow(self) -> FakeUnitOfWork:
        """A new unit on this database (what ``runtime.uow`` is to the real one)."""
        return FakeUnitOfWork(self)

    def events(self, kind: type[EventData] | None = None) -> list[EventData]:
        return [each.data for each in self.published if kind is None or isinstance(each.data,
                                                                                   kind)]


class FakeUnitOfWork:
    """Shaped like ``AssignmentUnitOfWork`` as far as the service layer uses it."""

    def __init__(self, database: FakeDatabase) -> None:
        self._database = database
        self.clock = database.clock
        self.pending: list[Published] = []
        self._tables = Tables()
        self._callbacks: list[Callable[[], None]] = []
        self._locked = False

    async def __aenter__(self) -> Self:
        self._tables = copy.deepcopy(self._database.tables)
        self.pending = []
        self._callbacks = []
        self._locked = False
        tables = self._tables
        self.waiting_people = FakeWaitingList(tables, self)
        self.cases = FakeCases(tables)
        self.courses = FakeCourses(tables)
        self.course_reviews = FakeCourseReviews(tables)
        self.placements = FakePlacements(tables)
        self.manual_placements = FakeManualPlacements(tables)
        self.capacity_reports = FakeCapacityReports(tables)
        self.parked_events = FakeParkedEvents(tables)
        return self

    async def __aexit__(self, *_: object) -> None:
        self._tables = Tables()

    @property
    def database(self) -> object:
        return self._database

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    async def commit(self) -> None:
        self._database.tables = copy.deepcopy(self._tables)
        self._database.published += self.pending
        self._database.commits += 1
        self.pending = []
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    async def publish(self, data: EventData, *, key: str, subject: str | None = None) -> None:
        provenance = provenance_of(type(data))
        if provenance is None or provenance.source != SOURCE:
            raise ValueError(f"{data.event_type} is not published by assignment")
        self.pending.append(Published(data, key, subject))

    async def forget_published_events(self, key: str) -> None:
        self._database.forgotten.append(key)

    def lock_taken(self) -> bool:
        if self._locked:
            return True
        self._locked = True
        return False


class FakeWaitingList:
    def __init__(self, tables: Tables, unit: FakeUnitOfWork) -> None:
        self._tables = tables
        self._unit = unit

    async def add(self, person: WaitingPerson) -> None:
        await self.add_all([person])

    async def add_all(self, people: list[WaitingPerson]) -> None:
        for person in people:
            if person.pseudonym in self._tables.waiting:
                raise _duplicate("waiting_people.pseudonym")
            self._tables.waiting[person.pseudonym] = person

    async def count(self) -> int:
        return len(self._tables.waiting)

    async def get(self, pseudonym: str) -> WaitingPerson | None:
        return self._tables.waiting.get(pseudonym)

    async def all(self) -> list[WaitingPerson]:
        return sorted(self._tables.waiting.values(),
                      key=lambda person: (person.waiting_since, person.pseudonym))

    async def of(self, pseudonyms: Sequence[str]) -> list[WaitingPerson]:
        return sorted((self._tables.waiting[each] for each in set(pseudonyms)
                       if each in self._tables.waiting),
                      key=lambda person: (person.waiting_since, person.pseudonym))

    async def which_wait(self, pseudonyms: Sequence[str]) -> list[str]:
        return [each for each in dict.fromkeys(pseudonyms) if each in self._tables.waiting]

    def _update(self, pseudonyms: Iterable[str], **changes: Any) -> None:
        for pseudonym in pseudonyms:
            if pseudonym in self._tables.waiting:
                self._tables.waiting[pseudonym] = replace(self._tables.waiting[pseudonym],
                                                          **changes)

    async def set_reasons(self, reasons: dict[str, str]) -> None:
        for pseudonym, reason in reasons.items():
            self._update([pseudonym], reason=reason)

    async def mark_unmet_reported(self, pseudonyms: list[str], month: str) -> None:
        self._update(pseudonyms, unmet_reported_month=month)

    async def refresh(self, pseudonym: str, survey: Survey) -> None:
        self._update([pseudonym], region_key=survey.region_key,
                     german_level=survey.german_level)

    async def remove(self, pseudonym: str) -> None:
        self._tables.waiting.pop(pseudonym, None)

    async def remove_all(self, pseudonyms: list[str]) -> None:
        for pseudonym in pseudonyms:
            await self.remove(pseudonym)

    async def rekey(self, old: str, new: str) -> None:
        merged, surviving = await self.get(old), await self.get(new)
        await self.remove(old)
        if merged and surviving and merged.waiting_since < surviving.waiting_since:
            self._update([new], waiting_since=merged.waiting_since)
        elif merged and not surviving:
            await self.add(replace(merged, pseudonym=new))

    async def allocation_runs(self) -> int:
        return self._tables.allocation_runs

    async def lock_for_allocation(self) -> None:
        if not self._unit.lock_taken():
            self._tables.allocation_runs += 1


class FakeCases:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add_all(self, registered: list[tuple[str, Survey, date]]) -> None:
        for pseudonym, survey, registered_on in registered:
            if pseudonym in self._tables.cases:
                raise _duplicate("cases.pseudonym")
            self._tables.cases[pseudonym] = CaseRow(survey, registered_on)

    async def survey(self, pseudonym: str) -> Survey | None:
        row = self._tables.cases.get(pseudonym)
        return row.survey if row else None

    async def known(self, pseudonym: str) -> bool:
        return pseudonym in self._tables.cases

    async def is_open(self, pseudonym: str) -> bool:
        row = self._tables.cases.get(pseudonym)
        return row is not None and not row.closed

    async def of_waiting(self, pseudonyms: list[str]) -> dict[str, tuple[Survey, str | None]]:
        return {pseudonym: (row.survey, row.previous_provider_id)
                for pseudonym in pseudonyms if (row := self._tables.cases.get(pseudonym))}

    async def update_survey(self, pseudonym: str, survey: Survey) -> None:
        if pseudonym in self._tables.cases:
            self._tables.cases[pseudonym].survey = survey

    async def set_previous_provider(self, pseudonym: str, provider_id: str) -> None:
        if pseudonym in self._tables.cases:
            self._tables.cases[pseudonym].previous_provider_id = provider_id

    async def close(self, pseudonym: str) -> None:
        if pseudonym in self._tables.cases:
            self._tables.cases[pseudonym].closed = True

    async def delete(self, pseudonym: str) -> None:
        self._tables.cases.pop(pseudonym, None)


def stored_course(course: Course) -> Course:
    """The course as the catalogue table gives it back: a course without an approval is a
    draft."""
    values = course.model_dump(mode="json")
    values["approval"] = (course.approval or CourseApproval.DRAFT).value
    return Course.model_validate(values)


class FakeCourses:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, course: Course) -> None:
        if course.course_id in self._tables.courses:
            raise _duplicate("courses.course_id")
        self._tables.courses[course.course_id] = stored_course(course)

    async def replace(self, course: Course) -> None:
        if course.course_id in self._tables.courses:
            self._tables.courses[course.course_id] = stored_course(course)

    async def get(self, course_id: str) -> Course | None:
        return self._tables.courses.get(course_id)

    def _sorted(self, courses: Iterable[Course]) -> list[Course]:
        return sorted(courses, key=lambda course: (course.starts_on, course.course_id))

    async def list(self, *, provider_id: str | None = None) -> list[Course]:
        return self._sorted(course for course in self._tables.courses.values()
                            if provider_id is None or course.provider_id == provider_id)

    async def due_to_start(self, today: date) -> list[Course]:
        return self._sorted(course for course in self._tables.courses.values()
                            if course.status in BEFORE_START and course.starts_on <= today)

    async def running_past_end(self, today: date) -> list[Course]:
        return sorted((course for course in self._tables.courses.values()
                       if course.status is CourseStatus.RUNNING and course.ends_on < today),
                      key=lambda course: (course.ends_on, course.course_id))

    async def seats(self, *, bookable_only: bool = True) -> list[Seats]:
        result: list[Seats] = []
        for course in self._sorted(self._tables.courses.values()):
            if bookable_only and course.status not in BOOKABLE:
                continue
            active = [record for record in self._tables.placements.values()
                      if record.course_id == course.course_id and record.status in ACTIVE]
            result.append(Seats(course, course.capacity - len(active), course.childcare_places
                                - sum(record.childcare for record in active)))
        return result


class FakeCourseReviews:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def record(self, review: CourseReview) -> None:
        self._tables.reviews.append(review)

    async def of_course(self, course_id: str) -> list[CourseReview]:
        return [review for review in self._tables.reviews if review.course_id == course_id]


def stored_record(record: PlacementRecord) -> PlacementRecord:
    """The placement as the table gives it back (its explanation is stored as JSON)."""
    return replace(record, explanation=json.loads(json.dumps(record.explanation)))


class FakePlacements:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    @property
    def _records(self) -> list[PlacementRecord]:
        return list(self._tables.placements.values())

    async def add(self, record: PlacementRecord) -> None:
        await self.add_all([record])

    async def add_all(self, records: list[PlacementRecord]) -> None:
        for record in records:
            if record.placement_id in self._tables.placements:
                raise _duplicate("placements.placement_id")
            if any(each.referral_code == record.referral_code for each in self._records):
                raise _duplicate("placements.referral_code")
            self._tables.placements[record.placement_id] = stored_record(record)

    async def referral_codes_taken(self, codes: list[str]) -> set[str]:
        return {record.referral_code for record in self._records} & set(codes)

    async def get(self, placement_id: str) -> PlacementRecord | None:
        return self._tables.placements.get(placement_id)

    async def by_referral_code(self, code: str) -> PlacementRecord | None:
        return next((record for record in self._records if record.referral_code == code),
                    None)

    def _change(self, placement_id: str, **changes: Any) -> None:
        if placement_id in self._tables.placements:
            self._tables.placements[placement_id] = replace(
                self._tables.placements[placement_id], **changes)

    async def set_status(self, placement_id: str, status: PlacementStatus) -> None:
        self._change(placement_id, status=status)

    async def move_status(self, placement_id: str, before: PlacementStatus,
                          after: PlacementStatus) -> bool:
        record = self._tables.placements.get(placement_id)
        if record is None or record.status is not before:
            return False
        self._change(placement_id, status=after)
        return True

    @staticmethod
    def _by_offer(records: Iterable[PlacementRecord]) -> list[PlacementRecord]:
        return sorted(records, key=lambda record: (record.offered_on, record.placement_id))

    async def of_person(self, pseudonym: str) -> list[PlacementRecord]:
        return sorted((record for record in self._records if record.pseudonym == pseudonym),
                      key=lambda record: record.offered_on)

    async def active_in_course(self, course_id: str) -> list[PlacementRecord]:
        return [record for record in self._records
                if record.course_id == course_id and record.status in ACTIVE]

    async def undecided_in_course(self, course_id: str) -> list[PlacementRecord]:
        return self._by_offer(record for record in self._records if record.course_id == course_id
                              and record.status in UNDECIDED_BY_PROGRESS)

    async def offers_past_last_day(self, today: date) -> list[PlacementRecord]:
        return sorted((record for record in self._records
                       if record.status is PlacementStatus.OFFERED
                       and record.expires_on is not None and record.expires_on < today),
                      key=lambda record: (record.expires_on, record.placement_id))

    async def offers_without_last_day(self) -> list[PlacementRecord]:
        return [record for record in self._records
                if record.status is PlacementStatus.OFFERED and record.expires_on is None]

    async def set_last_day(self, placement_id: str, expires_on: date) -> None:
        self._change(placement_id, expires_on=expires_on)

    async def undecided_in_ended_courses(self, today: date) -> list[PlacementRecord]:
        ended = {course_id for course_id, course in self._tables.courses.items()
                 if course.ends_on < today}
        return self._by_offer(record for record in self._records
                              if record.status in UNDECIDED_BY_PROGRESS
                              and record.course_id in ended)

    async def all(self) -> list[PlacementRecord]:
        return self._by_offer(self._records)

    async def declined_courses(self, pseudonyms: list[str]) -> dict[str, set[str]]:
        asked = set(pseudonyms)
        declined: dict[str, set[str]] = {}
        for record in self._records:
            if record.pseudonym in asked and record.status.value in TURNED_DOWN:
                declined.setdefault(record.pseudonym, set()).add(record.course_id)
        return declined

    async def latest_courses(self, pseudonyms: list[str],
                             statuses: Iterable[PlacementStatus]) -> dict[str, str]:
        wanted, asked = set(statuses), set(pseudonyms)
        latest: dict[str, PlacementRecord] = {}
        for record in self._by_offer(self._records):
            if record.pseudonym in asked and record.status in wanted:
                latest[record.pseudonym] = record
        return {pseudonym: record.course_id for pseudonym, record in latest.items()}

    async def provider_load(self) -> dict[str, int]:
        load: dict[str, int] = {}
        for record in self._records:
            if record.status in ACTIVE:
                load[record.provider_id] = load.get(record.provider_id, 0) + 1
        return load

    async def delete_person(self, pseudonym: str) -> None:
        for record in self._records:
            if record.pseudonym == pseudonym:
                del self._tables.placements[record.placement_id]

    async def rekey(self, old: str, new: str) -> None:
        for record in self._records:
            if record.pseudonym == old:
                self._change(record.placement_id, pseudonym=new)

    async def offers_made_on(self, day: date) -> dict[str, tuple[str, str]]:
        return {record.placement_id: (record.pseudonym, record.course_id)
                for record in self._records
                if record.status is PlacementStatus.OFFERED and record.offered_on == day}

    async def offer_rows(self, provider_id: str | None, *, answered: bool,
                         limit: int | None = None) -> list[OfferRow]:
        rows = [OfferRow(record.referral_code, course.title, course.region_key, record.status,
                         record.offered_on, record.expires_on)
                for record in self._records
                if (course := self._tables.courses.get(record.course_id)) is not None
                and (provider_id is None or record.provider_id == provider_id)
                and (record.status is not PlacementStatus.OFFERED) is answered]
        if answered:
            rows.sort(key=lambda row: row.referral_code)
            rows.sort(key=lambda row: row.offered_on, reverse=True)
            return rows[:limit]
        # SQLite sorts a missing answer-by date first.
        return sorted(rows, key=lambda row: (row.expires_on is not None,
                                             row.expires_on or date.min, row.offered_on,
                                             row.referral_code))


class FakeManualPlacements:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def record(self, entry: ManualPlacementEntry) -> None:
        self._tables.manual.append(entry)

    async def of_course(self, course_id: str) -> list[ManualPlacementEntry]:
        return [entry for entry in self._tables.manual if entry.course_id == course_id]


class FakeCapacityReports:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def of_month(self, month: str) -> SeatFigures:
        return dict(self._tables.capacity.get(month, {}))

    async def save(self, month: str, figures: SeatFigures) -> None:
        self._tables.capacity.setdefault(month, {}).update(figures)

    async def next_sequence(self, district: str, course_type: str) -> int:
        key = (district, course_type)
        self._tables.sequences[key] = self._tables.sequences.get(key, 0) + 1
        return self._tables.sequences[key]


class FakeParkedEvents:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def park(self, key: str, event: DecodedEvent, reason: str) -> None:
        self._tables.parked.append((key, event))

    async def take(self, keys: Sequence[str]) -> list[DecodedEvent]:
        wanted = set(keys)
        taken = [event for key, event in self._tables.parked if key in wanted]
        self._tables.parked = [(key, event) for key, event in self._tables.parked
                               if key not in wanted]
        return taken

    async def forget(self, key: str) -> int:
        before = len(self._tables.parked)
        self._tables.parked = [(each, event) for each, event in self._tables.parked
                               if each != key]
        return before - len(self._tables.parked)

    async def count(self) -> int:
        return len(self._tables.parked)
