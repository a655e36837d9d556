"""The course and placement the progress unit tests report on: a seven-month general
integration course of provider ``vhs-a`` and one confirmed placement in it."""

from __future__ import annotations

from datetime import date

from ankommen.progress.domain.catalogue import Course, Placement, PlacementStatus

COURSE = Course(course_id="c-1", provider_id="vhs-a", title="Integrationskurs",
                course_type="general_integration", region_key="03358021",
                starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 31), hours=700)
PLACEMENT = Placement(referral_code="REF-0001", placement_id="p-1", pseudonym="p" * 24,
                      course_id="c-1", provider_id="vhs-a", status=PlacementStatus.CONFIRMED)
