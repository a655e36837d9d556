"""The in-memory fakes (tests/intake/fakes.py) answer like intake's real repositories: the same
calls on the real ones (migrated database, SQLite and PostgreSQL) and on the fakes give the
same answers — order, "not found" and uniqueness included. The service-layer tests are only
as good as this."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from ankommen.intake.adapters.crypto import SealedIdentity
from ankommen.intake.adapters.identity_store import StoredAlias
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.app import build_runtime
from ankommen.intake.config import IntakeRuntime, IntakeSettings
from ankommen.intake.domain.audit import AuditAction
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.disclosure import CourseFacts, PlacementStatus
from ankommen.intake.domain.duplicates import DuplicateSuspected, SuspicionStatus
from ankommen.intake.domain.letter import CourseDetails
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.assignment import Venue
from ankommen.shared.events.contracts.intake import ClosureReason, Survey
from tests.intake.fakes import START, FakeDatabase, FakeUnitOfWork
from tests.support.surveys import survey


class Ids:
    """The same random ids, in ascending order, for the real run and the fake one."""

    def __init__(self, ids: list[uuid.UUID]) -> None:
        self._ids = iter(ids)

    def take(self, count: int) -> list[uuid.UUID]:
        return [next(self._ids) for _ in range(count)]

    def case(self, day: int, **answers: Any) -> Case:
        case_id, pseudonym = self.take(2)
        return Case(survey=Survey.model_validate(survey(**answers)),
                    registered_on=date(2026, 3, day), case_id=case_id, pseudonym=pseudonym.hex)


#: A scenario: runs against a unit (real or fake) and returns what the repositories answered.
Scenario = Callable[[Any, MovableClock, Ids], Awaitable[list[Any]]]


@pytest.fixture
async def runtime(databases) -> AsyncIterator[IntakeRuntime]:  # noqa: ANN001
    clock = MovableClock(START)
    runtime = build_runtime(IntakeSettings(database_url=await databases.url("intake")),
                            clock=clock)
    await runtime.migrate()
    try:
        yield runtime
    finally:
        await runtime.engine.dispose()


def _plain(value: Any) -> Any:
    """Answers made comparable: dataclasses as dicts, instants in UTC without their zone
    (SQLite gives them back naive), bytes as they are."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in
                (each.name for each in dataclasses.fields(value))}
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return frozenset(_plain(item) for item in value)
    return value


async def both(runtime: IntakeRuntime, scenario: Scenario) -> tuple[list[Any], list[Any]]:
    """The scenario's answers from the real repositories and from the fakes, each in one
    committed unit (the fakes' clock starts where the runtime's does)."""
    clock = runtime.clock
    assert isinstance(clock, MovableClock)
    clock.set(START)
    ids = sorted(uuid.uuid4() for _ in range(20))
    async with runtime.uow() as real:
        real_answers = await scenario(real, clock, Ids(ids))
        await real.commit()
    fake_clock = MovableClock(START)
    async with FakeUnitOfWork(FakeDatabase(), fake_clock) as fake:
        fake_answers = await scenario(fake, fake_clock, Ids(ids))
        await fake.commit()
    return _plain(real_answers), _plain(fake_answers)


async def cases_scenario(uow: IntakeUnitOfWork, clock: MovableClock, ids: Ids) -> list[Any]:
    first, second, third = ids.case(2), ids.case(3, gender="male"), ids.case(4)
    await uow.cases.add(first)
    await uow.cases.add_many([second, third])
    answers: list[Any] = [await uow.cases.get(first.case_id),
                          await uow.cases.get(ids.take(1)[0])]
    answers.append(await uow.cases.by_pseudonyms([first.pseudonym, third.pseudonym, "unknown"]))
    first.close(date(2026, 3, 5), ClosureReason.MOVED_AWAY)
    first.survey = Survey.model_validate({**first.survey.model_dump(), "german_level": "B1"})
    await uow.cases.save(first)
    await uow.cases.remove(second.case_id)
    answers += [await uow.cases.get(first.case_id), await uow.cases.get(second.case_id)]
    return answers


async def identities_scenario(uow: IntakeUnitOfWork, clock: MovableClock, ids: Ids
                              ) -> list[Any]:
    one, two, three, four, unknown = ids.take(5)
    for case_id, day in ((one, 2), (two, 3), (three, 4)):
        case = ids.case(day, gender="male" if case_id == two else "female")
        await uow.cases.add(dataclasses.replace(case, case_id=case_id))

    def sealed(case_id: uuid.UUID, key: str = "k1") -> SealedIdentity:
        return SealedIdentity(ciphertext=b"identity-" + case_id.bytes,
                              wrapped_key=b"key-" + case_id.bytes, master_key_id=key)

    await uow.identities.add(one, sealed(one), ["name:a", "name:b", "file:x"])
    await uow.identities.add_many([(two, sealed(two, "k0"), ["name:a", "name:b"]),
                                   (three, sealed(three), ["name:b", "name:c"]),
                                   # an identity without its case row: never a candidate
                                   (four, sealed(four), ["name:a"])])
    store = uow.identities
    answers: list[Any] = [
        await store.load(one), await store.load(unknown),
        await store.candidates(["file:x"], ["name:a", "name:b", "name:c"], limit=10),
        await store.candidates([], ["name:b", "name:c"], limit=2),
        await store.candidates([], ["name:a"], limit=10, exclude=one),
        await store.candidates([], [], limit=10),
        await store.pairs_sharing_digests(limit=10),
        await store.pairs_sharing_digests(limit=1),
        await store.sealed_after(None, 2), await store.sealed_after(one, 10),
        await store.keys_not_under("k1", 10)]
    for position in (1, 2, 3):
        await store.add_alias(StoredAlias(one, position, b"alias-%d" % position,
                                          clock.now() + timedelta(minutes=position)))
    await store.add_alias(StoredAlias(two, 1, b"alias-two", clock.now()))
    await store.drop_aliases_before(one, 2)
    answers.append(await store.aliases([two, one, unknown]))
    await store.replace_ciphertext(one, b"newer")
    await store.replace_indexes(one, ["name:z"])
    await store.rewrap(two, "k1", b"rewrapped")
    answers += [await store.load(one), await store.candidates([], ["name:z", "name:a"], 10),
                await store.keys_not_under("k1", 10)]
    await store.destroy(one)
    answers += [await store.load(one), await store.aliases([one]),
                await store.candidates([], ["name:z"], 10)]
    return answers


async def suspicions_scenario(uow: IntakeUnitOfWork, clock: MovableClock, ids: Ids
                              ) -> list[Any]:
    one, two, three, first, second, third, unknown = ids.take(7)
    older = DuplicateSuspected(one, two, 0.9, clock.now(), suspicion_id=first)
    newer = DuplicateSuspected(two, three, 0.7, clock.now() + timedelta(hours=1),
                               suspicion_id=second)
    resolved = DuplicateSuspected(one, three, 0.8, clock.now() + timedelta(hours=2),
                                  suspicion_id=third)
    for each in (older, newer, resolved):
        await uow.suspicions.add(each)
    resolved.resolve(SuspicionStatus.DIFFERENT_PERSON, clock.now() + timedelta(hours=3))
    await uow.suspicions.save(resolved)
    repository = uow.suspicions
    answers: list[Any] = [
        await repository.get(older.suspicion_id), await repository.get(unknown),
        await repository.listed(SuspicionStatus.OPEN), await repository.listed(None),
        await repository.listed(None, limit=1), await repository.known_pairs(),
        sorted(each.suspicion_id for each in await repository.involving(three))]
    await repository.remove_involving(one)
    answers.append(await repository.listed(None))
    return answers


async def placements_scenario(uow: IntakeUnitOfWork, clock: MovableClock, ids: Ids
                              ) -> list[Any]:
    placements = uow.placements
    await placements.save(referral_code="REF-1", pseudonym="p1", provider_id="vhs-a",
                          course_id="c1", status=PlacementStatus.CONFIRMED)
    clock.advance(timedelta(minutes=1))
    await placements.save(referral_code="REF-2", pseudonym="p1", provider_id="vhs-b",
                          course_id="c2", status=PlacementStatus.CONFIRMED)
    clock.advance(timedelta(minutes=1))
    await placements.save(referral_code="REF-3", pseudonym="p2", provider_id="vhs-a",
                          course_id="c1", status=PlacementStatus.DECLINED)
    answers: list[Any] = [
        await placements.status("REF-1"), await placements.status("REF-9"),
        sorted(await placements.confirmed_for("vhs-a", ["REF-1", "REF-2", "REF-3", "REF-9"]),
               key=lambda each: each.referral_code),
        await placements.of_pseudonym("p1"), await placements.recorded("REF-3"),
        await placements.recorded("REF-9")]
    clock.advance(timedelta(minutes=1))
    await placements.set_status("REF-1", PlacementStatus.COMPLETED)
    await placements.save(referral_code="REF-2", pseudonym="p1", provider_id="vhs-b",
                          course_id="c3", status=PlacementStatus.WITHDRAWN)
    await placements.merge("p2", "p1")
    answers.append(await placements.of_pseudonym("p1"))
    await placements.erase("p1")
    answers += [await placements.of_pseudonym("p1"), await placements.status("REF-3")]
    return answers


async def courses_scenario(uow: IntakeUnitOfWork, clock: MovableClock, ids: Ids
                           ) -> list[Any]:
    facts = CourseFacts(course_id="c1", provider_id="vhs-a", region_key="03358021",
                        starts_on=date(2026, 4, 1), ends_on=date(2026, 9, 30),
                        status="open", approved=True)
    details = CourseDetails(course_id="c1", provider_id="vhs-a", starts_on=date(2026, 4, 1),
                            title="Integrationskurs A1", provider_name="VHS Heidekreis",
                            venue=Venue(name="VHS", street="Am Markt 1", postal_code="29614",
                                        city="Soltau"),
                            daily_start=time(8, 30), daily_end=time(12, 0),
                            what_to_bring="Wörterbuch")
    await uow.courses.save(facts, details)
    await uow.courses.save(dataclasses.replace(facts, course_id="c2", approved=False))
    answers: list[Any] = [await uow.courses.of_ids(["c1", "c2", "c9"]),
                          await uow.courses.details("c1"), await uow.courses.details("c2"),
                          await uow.courses.details("c9")]
    # A later event without the letter's details keeps those recorded; new dates count.
    await uow.courses.save(dataclasses.replace(facts, starts_on=date(2026, 4, 8)))
    await uow.courses.set_status("c2", "cancelled")
    answers += [await uow.courses.details("c1"), await uow.courses.of_ids(["c2"])]
    return answers


async def audit_scenario(uow: IntakeUnitOfWork, clock: MovableClock, ids: Ids) -> list[Any]:
    one, two = ids.take(2)
    audit = uow.audit_entries
    await audit.record(actor="office-a", role="intake_staff", action=AuditAction.REGISTER,
                       case_id=one)
    await audit.record(actor="office-b", role="intake_staff", action=AuditAction.REGISTER,
                       case_id=one)
    clock.advance(timedelta(minutes=1))
    await audit.record(actor="vhs-a", role="provider", action="disclose_contact", case_id=one,
                       purpose="placement_disclosure", recipient="vhs-a",
                       disclosed="family_name,phone", actor_name="A. Person",
                       actor_issuer="https://idp.example")
    await audit.record(actor="office-c", role="intake_staff", action="read_identity",
                       case_id=two, purpose="counselling")
    await audit.record(actor="admin", role="admin", action="scan_duplicates")

    def without_ids(entries: list[Any]) -> list[Any]:
        return [dataclasses.replace(each, entry_id=None) for each in entries]

    everything = await audit.entries()
    answers: list[Any] = [
        without_ids(everything), without_ids(await audit.entries(case_id=one, limit=2)),
        without_ids(await audit.entries(before=everything[1].entry_id)),
        await audit.disclosures([one, two]), await audit.disclosures([two]),
        await audit.registered_by([one, two]), await audit.registered_by([])]
    await audit.forget_case(one)
    answers += [without_ids(await audit.entries(case_id=one)),
                len(await audit.entries()), await audit.disclosures([one])]
    return answers


@pytest.mark.parametrize("scenario", [cases_scenario, identities_scenario,
                                      suspicions_scenario, placements_scenario,
                                      courses_scenario, audit_scenario],
                         ids=lambda scenario: scenario.__name__.removesuffix("_scenario"))
async def test_the_fake_answers_as_the_real_repository(runtime, scenario):
    real, fake = await both(runtime, scenario)
    assert fake == real


async def test_the_fakes_refuse_what_the_tables_refuse(runtime):
    """A second case with the same id, a second identity of one case, an alias position
    taken twice: refused by both (the primary keys)."""
    case = Ids(sorted(uuid.uuid4() for _ in range(2))).case(2)

    async def twice(make: Callable[[Any], Awaitable[None]]) -> tuple[bool, bool]:
        refused: list[bool] = []
        for unit in (runtime.uow(), FakeUnitOfWork()):
            async with unit as uow:
                try:
                    await make(uow)
                    await make(uow)
                except Exception:  # noqa: BLE001 - IntegrityError here, ValueError there
                    refused.append(True)
                else:
                    refused.append(False)
        return refused[0], refused[1]

    sealed = SealedIdentity(ciphertext=b"c", wrapped_key=b"k", master_key_id="k1")
    assert await twice(lambda uow: uow.cases.add(case)) == (True, True)
    assert await twice(lambda uow: uow.identities.add(case.case_id, sealed, ["d"])) == (
        True, True)
    alias = StoredAlias(case.case_id, 1, b"a", START)
    assert await twice(lambda uow: uow.identities.add_alias(alias)) == (True, True)
