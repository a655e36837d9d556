"""When a confirmed placement may open its person's contact details (pure domain rule): only
for a course the county made — approved by a coordinator, in the county's districts — to the
course's own provider, while the course runs (from the lead time before its start to its last
day). Each refusal is one way a provider tried to harvest names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from ankommen.intake.domain.disclosure import (
    ConfirmedPlacement,
    CourseFacts,
    placement_disclosable,
)

TODAY = date(2027, 3, 10)
LEAD = timedelta(days=14)
COUNTY = frozenset({"03358"})
COURSE = CourseFacts(course_id="c-1", provider_id="vhs-a", region_key="03358021",
                     starts_on=date(2027, 2, 1), ends_on=date(2027, 7, 31), status="running",
                     approved=True)
PLACEMENT = ConfirmedPlacement(referral_code="REF-1", pseudonym="p-1", provider_id="vhs-a",
                               course_id="c-1")


def disclosable(course: CourseFacts | None = COURSE, placement: ConfirmedPlacement = PLACEMENT,
                *, provider_id: str = "vhs-a", today: date = TODAY) -> bool:
    return placement_disclosable(placement, course, provider_id=provider_id, districts=COUNTY,
                                 today=today, lead=LEAD)


def test_the_provider_of_an_approved_running_course_of_the_county_is_told() -> None:
    assert disclosable()


@pytest.mark.parametrize(("case", "course"), [
    ("course not known (yet)", None),
    ("draft: no coordinator approved it", replace(COURSE, approved=False)),
    ("course in another county's district", replace(COURSE, region_key="09162000")),
    ("course cancelled", replace(COURSE, status="cancelled")),
    ("course completed", replace(COURSE, status="completed")),
    ("course belongs to another provider", replace(COURSE, provider_id="vhs-b")),
    ("placement names another course", replace(COURSE, course_id="c-2")),
])
def test_a_placement_outside_the_countys_approved_offer_discloses_nothing(
        case: str, course: CourseFacts | None) -> None:
    assert not disclosable(course), case


def test_another_provider_asking_is_told_nothing() -> None:
    assert not disclosable(provider_id="vhs-b")
    forged = replace(PLACEMENT, provider_id="vhs-b")
    assert not disclosable(placement=forged, provider_id="vhs-b")


@pytest.mark.parametrize(("today", "expected"), [
    (COURSE.starts_on - LEAD - timedelta(days=1), False),
    (COURSE.starts_on - LEAD, True),
    (COURSE.starts_on, True),
    (COURSE.ends_on, True),
    (COURSE.ends_on + timedelta(days=1), False),
    (COURSE.ends_on + timedelta(days=400), False),
])
def test_only_while_the_course_runs_from_the_lead_time_before_its_start_to_its_last_day(
        today: date, expected: bool) -> None:
    assert disclosable(today=today) is expected
