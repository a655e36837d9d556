"""The list template of one of the provider's own courses (its participants' referral codes,
nothing else about them). Another provider's course, or one progress does not know, is "not
found" alike: the answer does not tell whether the course exists."""

from __future__ import annotations

from dataclasses import dataclass

from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.progress.domain.catalogue import PlacementStatus
from ankommen.shared.errors import NotFound

#: Placements that still have a participant in the course (declined, withdrawn and expired
#: offers get no row).
CURRENT = frozenset({PlacementStatus.OFFERED, PlacementStatus.CONFIRMED})


@dataclass(frozen=True)
class CourseRoster:
    course_id: str
    title: str
    referral_codes: list[str]


async def course_roster(uow: ProgressUnitOfWork, provider_id: str, course_id: str) -> CourseRoster:
    catalogue = uow.catalogue
    course = (await catalogue.courses([course_id])).get(course_id)
    if course is None or course.provider_id != provider_id:
        raise NotFound("no such course of yours", field="course_id")
    codes = [placement.referral_code
             for placement in await catalogue.placements_of_provider(provider_id)
             if placement.course_id == course_id and placement.status in CURRENT]
    return CourseRoster(course_id, course.title, codes)
