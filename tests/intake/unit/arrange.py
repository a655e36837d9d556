"""What intake's service-layer tests start from: the keys, the people acting, and cases
registered through the use case itself (in memory, tests/intake/fakes.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ankommen.intake.config import IntakeSettings
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.identity import Identity
from ankommen.intake.service.protection import IdentityProtection
from ankommen.intake.service.register_arrival import Decision, RegisterArrival, register_arrival
from ankommen.shared.events.contracts.assignment import (
    Course,
    CourseApproval,
    CourseStatus,
    PlacementConfirmed,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.messaging.consumer import Handler
from tests.intake.fakes import FakeDatabase, FakeUnitOfWork
from tests.support.event_examples import decoded
from tests.support.surveys import identity, registration

#: The development keys: the use cases only need keys that work.
PROTECTION = IdentityProtection.from_settings(IntakeSettings())
STAFF = Principal("auslaenderbehoerde", Role.INTAKE_STAFF)
REGISTERED_ON = date(2026, 3, 2)


def person(**overrides: Any) -> Identity:
    """An invented person, different on every call (unless overridden)."""
    return Identity.model_validate(identity(**overrides))


def answers(**overrides: Any) -> dict[str, Any]:
    """The survey as the registration form sends it (without the derived age)."""
    return registration(**overrides)["survey"]


def arrival(who: Identity, *, decision: Decision | None = None, existing: Case | None = None,
            **survey: Any) -> RegisterArrival:
    return RegisterArrival(identity=who, answers=answers(**survey), registered_on=REGISTERED_ON,
                           decision=decision,
                           existing_case_id=existing.case_id if existing else None)


async def registered(database: FakeDatabase, who: Identity | None = None,
                     **survey: Any) -> Case:
    """A new case, registered and committed as the API does (no duplicate in the way)."""
    async with FakeUnitOfWork(database) as uow:
        done = await register_arrival(uow, PROTECTION, arrival(
            who or person(), decision=Decision.DIFFERENT_PERSON, **survey), STAFF)
    return done.case


def factory(database: FakeDatabase) -> Callable[[], FakeUnitOfWork]:
    """Units on one database, as ``runtime.uow`` hands them out (for batch jobs)."""
    return lambda: FakeUnitOfWork(database)


def county_course(provider_id: str = "vhs-a", course_id: str = "course-a", **changes: Any
                  ) -> Course:
    """An approved course of the county (Heidekreis), running on the fakes' first day."""
    return Course(course_id=course_id, provider_id=provider_id,
                  title="Integrationskurs Soltau", course_type="general_integration",
                  entry_level="A1", target_level="B1", region_key="03358021",
                  mode="in_person", schedule=["mornings"],
                  starts_on=REGISTERED_ON - timedelta(days=30),
                  ends_on=REGISTERED_ON + timedelta(days=90), hours=700, capacity=25,
                  minimum_participants=5, status=CourseStatus.RUNNING,
                  approval=CourseApproval.APPROVED).model_copy(update=changes)


def confirmed(case: Case, code: str = "REF-0001", course: Course | None = None
              ) -> PlacementConfirmed:
    course = course or county_course()
    return PlacementConfirmed(placement_id=f"placement-{code}", pseudonym=case.pseudonym,
                              referral_code=code, course_id=course.course_id,
                              provider_id=course.provider_id)


async def handled(database: FakeDatabase, handler: Handler[Any], data: EventData) -> None:
    """An event handled as the consumer does: the handler's work committed with it."""
    async with FakeUnitOfWork(database) as uow:
        await handler(uow, decoded(data))
        assert uow.commits == 0, "a handler leaves the commit to the consumer"
        await uow.commit()
