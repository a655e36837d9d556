"""The read side of assignment's course pages: everything one page reads, on **one** unit of
work per request (issue 22 item 5).

Assignment's other pages and exports each read through one use case on one unit already. The
course form and the confirmation pages combined several reads, each on a unit of its own: the
course, the catalogue's providers or course titles, and the rolled-back run of the decision
(:func:`~ankommen.assignment.service.course_actions.consequences`). Here the request opens one
unit (:func:`course_views`), every read runs on it, and it is left without a commit — a page
writes nothing, and the decision's preview is rolled back with it.

It lives in the service layer, not in ``adapters/``: it composes use cases
(:mod:`.catalogue`, :mod:`.course_actions`); the queries stay in the repositories the unit
owns.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Collection

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.service import catalogue
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.assignment.service.course_actions import Change, Consequences, consequences
from ankommen.shared.events.contracts.assignment import Course
from ankommen.shared.identity.auth import Principal


class CourseViews:
    """What the course pages show ``principal``, read on one open unit."""

    def __init__(self, unit: AssignmentUnitOfWork, principal: Principal,
                 provider_ids: Collection[str]) -> None:
        self.unit = unit
        self.principal = principal
        #: Providers with a channel of their own (the settings): providers of the county even
        #: before their first course.
        self.provider_ids = provider_ids
        self._courses: list[Course] | None = None

    async def _visible(self) -> list[Course]:
        # Read once per request: the form's providers and the titles come from the same list.
        if self._courses is None:
            self._courses = await catalogue.visible_courses(self.unit, self.principal)
        return self._courses

    async def course(self, course_id: str) -> Course:
        return await catalogue.course_for(self.unit, self.principal, course_id)

    async def course_names(self) -> dict[str, str]:
        """Course id → title: a coordinator knows "Integrationskurs Soltau", not c-3f2a."""
        return {course.course_id: course.title for course in await self._visible()}

    async def providers(self) -> dict[str, str]:
        """The providers of the catalogue: id → the name they announced (else the id), by
        name."""
        known = {provider: provider for provider in self.provider_ids}
        for course in await self._visible():
            if course.provider_name:
                known[course.provider_id] = course.provider_name
            else:
                known.setdefault(course.provider_id, course.provider_id)
        return dict(sorted(known.items(), key=lambda item: item[1].casefold()))

    async def consequences(self, course_id: str, change: Change, *,
                           policy: AllocationPolicy) -> Consequences:
        """What ``change`` would do, run on this unit (never committed). The change stays on
        the unit until the request ends, so a page reads everything else it shows first."""
        return await consequences(self.unit, course_id, change, policy=policy)


@contextlib.asynccontextmanager
async def course_views(uow: Callable[[], AssignmentUnitOfWork], principal: Principal,
                       provider_ids: Collection[str]) -> AsyncGenerator[CourseViews]:
    """One request's reads: one unit of work, rolled back when the request is done."""
    async with uow() as unit:
        yield CourseViews(unit, principal, provider_ids)
