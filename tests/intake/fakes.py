"""Intake's unit of work and repositories in memory, for service-layer tests without a
database or a broker.

Each fake repository answers like its real one (``ankommen.intake.adapters``) on every method
the service layer calls — the same domain objects, the same order, the same "not found"
answers — which ``tests/intake/integration/test_fakes_match_repositories.py`` checks against
the real ones. What the repositories store lives in one :class:`FakeDatabase`, shared by
the units a test opens one after another, as the tables are.

:class:`FakeUnitOfWork` behaves like the real unit in what a use case can observe: what is
not committed is gone when the block ends (the database is restored to the last commit), and
published events count only once committed (:attr:`FakeUnitOfWork.events`).
"""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from ankommen.intake.adapters.audit import AuditEntry
from ankommen.intake.adapters.crypto import SealedIdentity
from ankommen.intake.adapters.identity_store import StoredAlias, StoredCandidate, StoredIdentity
from ankommen.intake.adapters.placements import PlacementRecord
from ankommen.intake.domain.audit import AuditAction
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.disclosure import (
    ConfirmedPlacement,
    CourseFacts,
    Disclosure,
    PlacementStatus,
)
from ankommen.intake.domain.duplicates import DuplicateSuspected, SuspicionStatus
from ankommen.intake.domain.letter import CourseDetails, RecordedPlacement
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.envelope import EventData

#: The fakes' "now" unless a test moves it: any fixed instant does.
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class StoredPlacement:
    pseudonym: str
    provider_id: str
    course_id: str
    status: PlacementStatus
    changed_at: datetime


@dataclass
class StoredCourse:
    facts: CourseFacts
    details: CourseDetails
    changed_at: datetime


@dataclass
class FakeDatabase:
    """What intake's tables hold, as the fakes keep it."""

    cases: dict[uuid.UUID, Case] = field(default_factory=dict[uuid.UUID, Case])
    #: case id → ciphertext of the identity.
    identities: dict[uuid.UUID, bytes] = field(default_factory=dict[uuid.UUID, bytes])
    #: case id → (master key id, wrapped data key).
    data_keys: dict[uuid.UUID, tuple[str, bytes]] = field(
        default_factory=dict[uuid.UUID, tuple[str, bytes]])
    aliases: list[StoredAlias] = field(default_factory=list[StoredAlias])
    blind_indexes: dict[uuid.UUID, set[str]] = field(default_factory=dict[uuid.UUID, set[str]])
    suspicions: dict[uuid.UUID, DuplicateSuspected] = field(
        default_factory=dict[uuid.UUID, DuplicateSuspected])
    placements: dict[str, StoredPlacement] = field(default_factory=dict[str, StoredPlacement])
    courses: dict[str, StoredCourse] = field(default_factory=dict[str, StoredCourse])
    audit: list[AuditEntry] = field(default_factory=list[AuditEntry])
    next_entry_id: int = 1

    def restore(self, snapshot: FakeDatabase) -> None:
        self.__dict__.update(copy.deepcopy(snapshot).__dict__)


class FakeCases:
    """Like :class:`~ankommen.intake.adapters.repository.CaseRepository`."""

    def __init__(self, database: FakeDatabase) -> None:
        self._db = database

    async def add(self, case: Case) -> None:
        await self.add_many([case])

    async def add_many(self, added: Iterable[Case]) -> None:
        for case in added:
            if case.case_id in self._db.cases or any(
                    each.pseudonym == case.pseudonym for each in self._db.cases.values()):
                raise ValueError("unique constraint: case id or pseudonym exists")
            self._db.cases[case.case_id] = copy.deepcopy(case)

    async def get(self, case_id: uuid.UUID) -> Case | None:
        case = self._db.cases.get(case_id)
        return None if case is None else copy.deepcopy(case)

    async def by_pseudonyms(self, pseudonyms: Iterable[str]) -> dict[str, Case]:
        wanted = set(pseudonyms)
        return {case.pseudonym: copy.deepcopy(case) for case in self._db.cases.values()
                if case.pseudonym in wanted}

    async def save(self, case: Case) -> None:
        stored = self._db.cases.get(case.case_id)
        if stored is not None:
            stored.survey = case.survey.model_copy(deep=True)
            stored.closed_on = case.closed_on
            stored.closure_reason = case.closure_reason

    async def remove(self, case_id: uuid.UUID) -> None:
        self._db.cases.pop(case_id, None)


class FakeIdentities:
    """Like :class:`~ankommen.intake.adapters.identity_store.IdentityStore`."""

    def __init__(self, database: FakeDatabase) -> None:
        self._db = database

    async def add(self, case_id: uuid.UUID, sealed: SealedIdentity,
                  digests: Iterable[str]) -> None:
        await self.add_many([(case_id, sealed, digests)])

    async def add_many(self, added: Iterable[tuple[uuid.UUID, SealedIdentity, Iterable[str]]]
                       ) -> None:
        for case_id, sealed, digests in added:
            if case_id in self._db.identities:
                raise ValueError("unique constraint: the case has an identity")
            self._db.identities[case_id] = sealed.ciphertext
            self._db.data_keys[case_id] = (sealed.master_key_id, sealed.wrapped_key)
            if digests := set(digests):
                self._db.blind_indexes[case_id] = digests

    async def load(self, case_id: uuid.UUID, *, for_update: bool = False
                   ) -> tuple[bytes | None, bytes] | None:
        if case_id not in self._db.identities:
            return None
        key = self._db.data_keys.get(case_id)
        return (None if key is None else key[1], self._db.identities[case_id])

    async def replace_ciphertext(self, case_id: uuid.UUID, ciphertext: bytes) -> None:
        if case_id in self._db.identities:
            self._db.identities[case_id] = ciphertext

    async def destroy(self, case_id: uuid.UUID) -> None:
        self._db.data_keys.pop(case_id, None)
        self._db.identities.pop(case_id, None)
        self._db.aliases = [each for each in self._db.aliases if each.case_id != case_id]
        self._db.blind_indexes.pop(case_id, None)

    async def replace_indexes(self, case_id: uuid.UUID, digests: Iterable[str]) -> None:
        self._db.blind_indexes.pop(case_id, None)
        if digests := set(digests):
            self._db.blind_indexes[case_id] = digests

    async def aliases(self, case_ids: Iterable[uuid.UUID]) -> list[StoredAlias]:
        wanted = set(case_ids)
        return sorted((each for each in self._db.aliases if each.case_id in wanted),
                      key=lambda each: (each.case_id, each.position))

    async def add_alias(self, alias: StoredAlias) -> None:
        if any((each.case_id, each.position) == (alias.case_id, alias.position)
               for each in self._db.aliases):
            raise ValueError("unique constraint: the alias position exists")
        self._db.aliases.append(alias)

    async def drop_aliases_before(self, case_id: uuid.UUID, position: int) -> None:
        self._db.aliases = [each for each in self._db.aliases
                            if each.case_id != case_id or each.position >= position]

    async def candidates(self, file_digests: Iterable[str], name_digests: Iterable[str],
                         limit: int, exclude: uuid.UUID | None = None
                         ) -> list[StoredCandidate]:
        certain = set(file_digests)
        wanted = certain | set(name_digests)
        if not wanted:
            return []
        matches = sorted(
            ((len(digests & wanted), case_id, bool(digests & certain))
             for case_id, digests in self._db.blind_indexes.items()
             if digests & wanted and case_id != exclude),
            key=lambda match: (-match[0], match[1]))[:limit]
        found: list[StoredCandidate] = []
        for _, case_id, is_certain in matches:
            case = self._db.cases.get(case_id)
            if case is None or case_id not in self._db.identities:
                continue
            key = self._db.data_keys.get(case_id)
            found.append(StoredCandidate(case_id, is_certain, None if key is None else key[1],
                                         self._db.identities[case_id], case.registered_on,
                                         _gender(case)))
        return found

    async def sealed_after(self, after: uuid.UUID | None, batch: int) -> list[StoredIdentity]:
        readable = sorted(case_id for case_id in self._db.identities
                          if case_id in self._db.data_keys and case_id in self._db.cases
                          and (after is None or case_id > after))[:batch]
        return [StoredIdentity(case_id, self._db.data_keys[case_id][1],
                               self._db.identities[case_id], _gender(self._db.cases[case_id]))
                for case_id in readable]

    async def pairs_sharing_digests(self, limit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        shared = [(len(left_digests & right_digests), left, right)
                  for (left, left_digests), (right, right_digests)
                  in itertools.permutations(self._db.blind_indexes.items(), 2)
                  if left < right and left_digests & right_digests]
        shared.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
        return [(left, right) for _, left, right in shared[:limit]]

    async def keys_not_under(self, master_key_id: str, batch: int
                             ) -> list[tuple[uuid.UUID, bytes]]:
        return sorted((case_id, wrapped) for case_id, (key_id, wrapped)
                      in self._db.data_keys.items() if key_id != master_key_id)[:batch]

    async def rewrap(self, case_id: uuid.UUID, master_key_id: str, wrapped_key: bytes) -> None:
        if case_id in self._db.data_keys:
            self._db.data_keys[case_id] = (master_key_id, wrapped_key)


def _gender(case: Case) -> str | None:
    return case.survey.model_dump(mode="json").get("gender")


class FakeSuspicions:
    """Like :class:`~ankommen.intake.adapters.duplicates.DuplicateRepository`."""

    def __init__(self, database: FakeDatabase) -> None:
        self._db = database

    async def add(self, suspicion: DuplicateSuspected) -> None:
        if suspicion.suspicion_id in self._db.suspicions:
            raise ValueError("unique constraint: the suspicion exists")
        self._db.suspicions[suspicion.suspicion_id] = copy.deepcopy(suspicion)

    async def get(self, suspicion_id: uuid.UUID) -> DuplicateSuspected | None:
        found = self._db.suspicions.get(suspicion_id)
        return None if found is None else copy.deepcopy(found)

    async def save(self, suspicion: DuplicateSuspected) -> None:
        stored = self._db.suspicions.get(suspicion.suspicion_id)
        if stored is not None:
            stored.status, stored.resolved_at = suspicion.status, suspicion.resolved_at

    async def listed(self, status: SuspicionStatus | None, limit: int = 100
                     ) -> list[DuplicateSuspected]:
        found = [each for each in self._db.suspicions.values()
                 if status is None or each.status is status]
        found.sort(key=lambda each: each.detected_at, reverse=True)
        return copy.deepcopy(found[:limit])

    async def known_pairs(self) -> set[frozenset[uuid.UUID]]:
        return {frozenset((each.case_id, each.other_case_id))
                for each in self._db.suspicions.values()}

    async def involving(self, case_id: uuid.UUID) -> list[DuplicateSuspected]:
        return copy.deepcopy([each for each in self._db.suspicions.values()
                              if case_id in (each.case_id, each.other_case_id)])

    async def remove_involving(self, case_id: uuid.UUID) -> None:
        self._db.suspicions = {key: each for key, each in self._db.suspicions.items()
                               if case_id not in (each.case_id, each.other_case_id)}


class FakePlacements:
    """Like :class:`~ankommen.intake.adapters.placements.ProviderPlacementRepository`."""

    def __init__(self, database: FakeDatabase, clock: MovableClock) -> None:
        self._db = database
        self._clock = clock

    async def status(self, referral_code: str) -> PlacementStatus | None:
        stored = self._db.placements.get(referral_code)
        return None if stored is None else stored.status

    async def save(self, *, referral_code: str, pseudonym: str, provider_id: str,
                   course_id: str, status: PlacementStatus) -> None:
        self._db.placements[referral_code] = StoredPlacement(
            pseudonym, provider_id, course_id, status, self._clock.now())

    async def set_status(self, referral_code: str, status: PlacementStatus) -> None:
        stored = self._db.placements.get(referral_code)
        if stored is not None:
            stored.status, stored.changed_at = status, self._clock.now()

    async def confirmed_for(self, provider_id: str, referral_codes: Iterable[str]
                            ) -> list[ConfirmedPlacement]:
        wanted = set(referral_codes)
        return [ConfirmedPlacement(code, each.pseudonym, each.provider_id, each.course_id)
                for code, each in self._db.placements.items()
                if code in wanted and each.provider_id == provider_id
                and each.status is PlacementStatus.CONFIRMED]

    async def of_pseudonym(self, pseudonym: str) -> list[PlacementRecord]:
        found = [PlacementRecord(code, each.provider_id, each.course_id, each.status,
                                 each.changed_at)
                 for code, each in self._db.placements.items() if each.pseudonym == pseudonym]
        return sorted(found, key=lambda each: each.changed_at, reverse=True)

    async def recorded(self, referral_code: str) -> RecordedPlacement | None:
        each = self._db.placements.get(referral_code)
        return None if each is None else RecordedPlacement(
            referral_code, each.pseudonym, each.course_id, each.status)

    async def erase(self, pseudonym: str) -> None:
        self._db.placements = {code: each for code, each in self._db.placements.items()
                               if each.pseudonym != pseudonym}

    async def merge(self, merged: str, surviving: str) -> None:
        for each in self._db.placements.values():
            if each.pseudonym == merged:
                each.pseudonym = surviving


class FakeCourses:
    """Like :class:`~ankommen.intake.adapters.courses.CourseRepository`."""

    def __init__(self, database: FakeDatabase, clock: MovableClock) -> None:
        self._db = database
        self._clock = clock

    async def save(self, course: CourseFacts, details: CourseDetails | None = None) -> None:
        known = self._db.courses.get(course.course_id)
        if details is None:
            details = (CourseDetails(course.course_id, course.provider_id, course.starts_on)
                       if known is None else known.details)
        # The letter's provider and first day are the course's (one row in the real table).
        details = replace(details, provider_id=course.provider_id, starts_on=course.starts_on)
        self._db.courses[course.course_id] = StoredCourse(course, details, self._clock.now())

    async def set_status(self, course_id: str, status: str) -> None:
        known = self._db.courses.get(course_id)
        if known is not None:
            known.facts = replace(known.facts, status=status)
            known.changed_at = self._clock.now()

    async def of_ids(self, course_ids: Iterable[str]) -> dict[str, CourseFacts]:
        wanted = set(course_ids)
        return {course_id: each.facts for course_id, each in self._db.courses.items()
                if course_id in wanted}

    async def details(self, course_id: str) -> CourseDetails | None:
        known = self._db.courses.get(course_id)
        return None if known is None else known.details


class FakeAuditEntries:
    """Like :class:`~ankommen.intake.adapters.audit.AuditLog`."""

    def __init__(self, database: FakeDatabase, clock: MovableClock) -> None:
        self._db = database
        self._clock = clock

    async def record(self, *, actor: str, role: str, action: str,
                     case_id: uuid.UUID | None = None, purpose: str | None = None,
                     recipient: str | None = None, disclosed: str | None = None,
                     actor_name: str | None = None, actor_issuer: str | None = None) -> None:
        self._db.audit.append(AuditEntry(
            at=self._clock.now(), actor=actor, role=role, action=str(action), case_id=case_id,
            purpose=purpose, entry_id=self._db.next_entry_id, recipient=recipient,
            disclosed=disclosed, actor_name=actor_name, actor_issuer=actor_issuer))
        self._db.next_entry_id += 1

    async def entries(self, *, case_id: uuid.UUID | None = None, limit: int = 100,
                      before: int | None = None) -> list[AuditEntry]:
        found = [each for each in reversed(self._db.audit)
                 if (case_id is None or each.case_id == case_id)
                 and (before is None or (each.entry_id or 0) < before)]
        return found[:limit]

    async def disclosures(self, case_ids: Collection[uuid.UUID]) -> list[Disclosure]:
        return [Disclosure(at=each.at, recipient=each.recipient or "",
                           fields=tuple(filter(None, (each.disclosed or "").split(","))),
                           purpose=each.purpose)
                for each in self._db.audit if each.case_id in case_ids
                and each.action == AuditAction.DISCLOSE_CONTACT.value]

    async def registered_by(self, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        offices: dict[uuid.UUID, str] = {}
        for each in self._db.audit:
            if each.case_id in case_ids and each.action == AuditAction.REGISTER.value:
                offices.setdefault(each.case_id, each.actor)
        return offices

    async def forget_case(self, case_id: uuid.UUID) -> None:
        self._db.audit = [replace(each, case_id=None) if each.case_id == case_id else each
                          for each in self._db.audit]


@dataclass(frozen=True)
class FakeNewCaseRows:
    """Like :class:`~ankommen.intake.adapters.unit_of_work.NewCaseRows`: in memory, the
    insert-only handle is the same database."""

    cases: FakeCases
    identities: FakeIdentities
    suspicions: FakeSuspicions
    audit_entries: FakeAuditEntries


@dataclass(frozen=True)
class Published:
    """An event as the unit's ``publish`` took it."""

    data: EventData
    key: str
    subject: str | None


class FakeUnitOfWork:
    """Like :class:`~ankommen.intake.adapters.unit_of_work.IntakeUnitOfWork`, in memory.

    ``async with uow: ...`` — on leaving the block, whatever was not committed is undone.
    A test reads :attr:`commits`, :attr:`events` (committed, in order) and :attr:`database`.
    """

    def __init__(self, database: FakeDatabase | None = None,
                 clock: MovableClock | None = None) -> None:
        self.database = database if database is not None else FakeDatabase()
        self.clock = clock if clock is not None else MovableClock(START)
        self.cases = FakeCases(self.database)
        self.identities = FakeIdentities(self.database)
        #: On SQLite a separate connection; in memory the same store.
        self.identity_reads = self.identities
        self.suspicions = FakeSuspicions(self.database)
        self.placements = FakePlacements(self.database, self.clock)
        self.courses = FakeCourses(self.database, self.clock)
        self.audit_entries = FakeAuditEntries(self.database, self.clock)
        self.inserts = FakeNewCaseRows(self.cases, self.identities, self.suspicions,
                                       self.audit_entries)
        self.commits = 0
        self.write_turns = 0
        #: The committed events, in the order they were published.
        self.events: list[Published] = []
        #: Pseudonyms whose sent and parked outbox rows the unit was told to forget.
        self.forgotten: list[str] = []
        self._pending: list[Published] = []
        self._pending_forgotten: list[str] = []
        self._snapshot = copy.deepcopy(self.database)

    async def __aenter__(self) -> Self:
        self._snapshot = copy.deepcopy(self.database)
        self._pending, self._pending_forgotten = [], []
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        self.database.restore(self._snapshot)
        self._pending, self._pending_forgotten = [], []

    async def commit(self) -> None:
        self.commits += 1
        self.events += self._pending
        self.forgotten += self._pending_forgotten
        self._pending, self._pending_forgotten = [], []
        self._snapshot = copy.deepcopy(self.database)

    async def publish(self, data: EventData, *, key: str, subject: str | None = None) -> None:
        self._pending.append(Published(data, key, subject))

    async def take_write_turn(self) -> None:
        self.write_turns += 1

    async def forget_published_events(self, key: str) -> None:
        self._pending_forgotten.append(key)

    @property
    def uncommitted_events(self) -> list[Published]:
        return list(self._pending)

    def published(self, kind: type[EventData]) -> list[EventData]:
        """The committed events of one type, in order."""
        return [each.data for each in self.events if isinstance(each.data, kind)]
