"""Courses and waiting people for assignment's tests: valid by default, any field overridable,
and hypothesis strategies for generated instances."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.shared.events.contracts.assignment import Course, CourseMode, CourseStatus
from ankommen.shared.events.contracts.intake import Survey
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel, TimeSlot
from tests.support.surveys import survey as survey_answers

TODAY = date(2026, 11, 21)
DISTRICTS = ["03358", "03351", "03361"]


def course(**overrides: Any) -> Course:
    values = {"course_id": "c-1", "provider_id": "vhs-heidekreis", "title": "Integrationskurs",
              "course_type": CourseType.GENERAL_INTEGRATION, "entry_level": GermanLevel.A1,
              "target_level": GermanLevel.B1, "region_key": "03358021",
              "mode": CourseMode.IN_PERSON, "schedule": [TimeSlot.MORNINGS],
              "starts_on": TODAY + timedelta(days=14), "ends_on": TODAY + timedelta(days=200),
              "hours": 700, "capacity": 20, "minimum_participants": 0, "childcare_places": 5,
              "status": CourseStatus.OPEN}
    return Course(**{**values, **overrides})


def person(pseudonym: str = "p" * 20, waiting_since: date = TODAY - timedelta(days=30),
           **survey_overrides: Any) -> Applicant:
    return Applicant(pseudonym, Survey(**survey_answers(**survey_overrides)), waiting_since)


def seats(free: int | None = None, childcare: int | None = None, **overrides: Any) -> Seats:
    built = course(**overrides)
    return Seats(built, built.capacity if free is None else free,
                 built.childcare_places if childcare is None else childcare)


LEVELS = list(GermanLevel)


@st.composite
def surveys(draw: st.DrawFn) -> dict[str, Any]:
    children = draw(st.sampled_from([0, 0, 0, 1, 2]))
    return {
        "age_years": draw(st.integers(16, 70)),
        "gender": draw(st.sampled_from(["female", "male", "diverse"])),
        "region_key": draw(st.sampled_from(DISTRICTS)) + draw(st.sampled_from(["", "001", "021"])),
        "german_level": draw(st.sampled_from(LEVELS[:5])),
        "reads_latin_script": draw(st.booleans() | st.just(True)),
        "literate_other_script": draw(st.booleans()),
        "schooling_years": draw(st.integers(0, 16)),
        "children_needing_care": children,
        "childcare_age_bands": ["3_to_5"] if children else [],
        "max_travel_minutes": draw(st.integers(0, 90)),
        "own_transport": draw(st.booleans()),
        "can_attend_online": draw(st.booleans()),
        "availability": draw(st.lists(st.sampled_from(list(TimeSlot)), min_size=1, max_size=4,
                                      unique=True)),
        "course_entitlement": "obliged" if draw(st.booleans()) else "entitled",
        "obliged_by": None,
    }


@st.composite
def applicants(draw: st.DrawFn, index: int = 0) -> Applicant:
    answers = survey_answers(**draw(surveys()))
    coordinates = draw(st.none() | st.tuples(st.floats(52.5, 53.2), st.floats(9.3, 10.2)))
    return Applicant(f"person-{index:06d}-{draw(st.integers(0, 9999)):04d}",
                     Survey(**answers), TODAY - timedelta(days=draw(st.integers(0, 200))),
                     latitude=coordinates[0] if coordinates else None,
                     longitude=coordinates[1] if coordinates else None)


@st.composite
def course_seats(draw: st.DrawFn, index: int = 0) -> Seats:
    entry = draw(st.sampled_from(LEVELS[:4]))
    target = draw(st.sampled_from(LEVELS[LEVELS.index(entry) + 1:6]))
    capacity = draw(st.integers(1, 25))
    starts = TODAY + timedelta(days=draw(st.integers(0, 180)))
    coordinates = draw(st.none() | st.tuples(st.floats(52.5, 53.2), st.floats(9.3, 10.2)))
    built = Course(
        course_id=f"course-{index:04d}", provider_id=draw(st.sampled_from(
            ["vhs-heidekreis", "caritas-soltau", "bildungswerk-a"])),
        title="Kurs", course_type=draw(st.sampled_from(list(CourseType))), entry_level=entry,
        target_level=target, region_key=draw(st.sampled_from(DISTRICTS)) + "021",
        latitude=coordinates[0] if coordinates else None,
        longitude=coordinates[1] if coordinates else None,
        mode=draw(st.sampled_from(list(CourseMode))),
        schedule=draw(st.lists(st.sampled_from(list(TimeSlot)), min_size=1, max_size=2,
                               unique=True)),
        starts_on=starts, ends_on=starts + timedelta(days=150), hours=300, capacity=capacity,
        minimum_participants=draw(st.integers(0, capacity)),
        childcare_places=draw(st.integers(0, 5)), transport_offered=draw(st.booleans()),
        status=draw(st.sampled_from([CourseStatus.OPEN, CourseStatus.OPEN, CourseStatus.PLANNED,
                                     CourseStatus.RUNNING])))
    return Seats(built, draw(st.integers(0, capacity)),
                 draw(st.integers(0, built.childcare_places)))


def random_applicant(rng: random.Random, index: int) -> Applicant:
    """A random waiting person (for instances too large for hypothesis' own generation)."""
    children = rng.choice([0, 0, 0, 1, 2])
    answers = survey_answers(
        age_years=rng.randint(16, 70), gender=rng.choice(["female", "male", "diverse"]),
        region_key=rng.choice(DISTRICTS) + rng.choice(["", "001", "021"]),
        german_level=rng.choice(LEVELS[:5]).value, reads_latin_script=rng.random() < 0.8,
        literate_other_script=rng.random() < 0.5, schooling_years=rng.randint(0, 16),
        children_needing_care=children, childcare_age_bands=["3_to_5"] if children else [],
        max_travel_minutes=rng.randint(0, 90), own_transport=rng.random() < 0.3,
        can_attend_online=rng.random() < 0.5,
        availability=[slot.value for slot in rng.sample(list(TimeSlot), rng.randint(1, 4))],
        course_entitlement=rng.choice(["obliged", "entitled"]), obliged_by=None)
    located = rng.random() < 0.5
    return Applicant(f"person-{index:06d}", Survey(**answers),
                     TODAY - timedelta(days=rng.randint(0, 200)),
                     latitude=rng.uniform(52.5, 53.2) if located else None,
                     longitude=rng.uniform(9.3, 10.2) if located else None)


def random_seats(rng: random.Random, index: int) -> Seats:
    entry_index = rng.randint(0, 3)
    capacity = rng.randint(1, 25)
    starts = TODAY + timedelta(days=rng.randint(0, 180))
    located = rng.random() < 0.5
    built = Course(
        course_id=f"course-{index:04d}",
        provider_id=rng.choice(["vhs-heidekreis", "caritas-soltau", "bildungswerk-a"]),
        title="Kurs", course_type=rng.choice(list(CourseType)), entry_level=LEVELS[entry_index],
        target_level=LEVELS[rng.randint(entry_index + 1, 5)],
        region_key=rng.choice(DISTRICTS) + "021",
        latitude=rng.uniform(52.5, 53.2) if located else None,
        longitude=rng.uniform(9.3, 10.2) if located else None,
        mode=rng.choice(list(CourseMode)),
        schedule=rng.sample(list(TimeSlot), rng.randint(1, 2)), starts_on=starts,
        ends_on=starts + timedelta(days=150), hours=300, capacity=capacity,
        minimum_participants=rng.randint(0, capacity), childcare_places=rng.randint(0, 5),
        transport_offered=rng.random() < 0.3,
        status=rng.choice([CourseStatus.OPEN, CourseStatus.OPEN, CourseStatus.PLANNED,
                           CourseStatus.RUNNING]))
    return Seats(built, rng.randint(0, capacity), rng.randint(0, built.childcare_places))
