"""The hard rules (*Zugangsvoraussetzungen*): may this person take a seat in this course?

Every rule answers with a reason, passed or not, so a placement can show why it was allowed and
a waiting person why nothing fits. Structural rules depend on the person and the course only;
the seat rules (capacity, childcare place) on what is still free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ankommen.assignment.domain.courses import Applicant, Seats, district_of, level_index
from ankommen.shared.events.contracts.assignment import Course, CourseMode
from ankommen.shared.events.contracts.intake import Gender
from ankommen.shared.events.contracts.vocabulary import CourseType

YOUTH_AGE_LIMIT = 27
#: Travel estimates without coordinates: same municipality, same district (minutes).
SAME_MUNICIPALITY_MINUTES = 15
SAME_DISTRICT_MINUTES = 30
#: Average door-to-door speeds for the coordinate estimate (km/h), plus a fixed start-up.
PUBLIC_TRANSPORT_KMH = 25
CAR_KMH = 50
TRAVEL_OVERHEAD_MINUTES = 10

LITERACY_TYPES = frozenset({CourseType.LITERACY, CourseType.SECOND_SCRIPT})
#: Courses without a written curriculum: open to everyone, literate or not.
OPEN_TYPES = frozenset({CourseType.FIRST_ORIENTATION, CourseType.LOCAL})


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    passed: bool
    reason: str


def _outcome(rule: str, passed: bool, ok: str, failed: str) -> RuleOutcome:
    return RuleOutcome(rule, passed, ok if passed else failed)


def course_type_fits(person: Applicant, course: Course) -> RuleOutcome:
    survey, kind = person.survey, course.course_type
    if kind in OPEN_TYPES:
        return RuleOutcome("course_type", True, f"{kind}: open to everyone")
    if survey.needs_literacy_course:
        allowed = ({CourseType.LITERACY, CourseType.SECOND_SCRIPT} if survey.literate_other_script
                   else {CourseType.LITERACY})
        return _outcome("course_type", kind in allowed, f"literacy need: {kind} teaches it",
                        "literacy need: a literacy or second-script course is required")
    if kind in LITERACY_TYPES:
        return RuleOutcome("course_type", False, "reads Latin script: no literacy course needed")
    if kind is CourseType.YOUTH:
        return _outcome("course_type", survey.age_years < YOUTH_AGE_LIMIT, "youth: under 27",
                        "youth course: only under 27")
    if kind is CourseType.PARENTS:
        return _outcome("course_type", survey.needs_childcare, "parents: has children in care",
                        "parents course: only for parents of young children")
    if kind is CourseType.WOMEN:
        return _outcome("course_type", survey.gender is Gender.FEMALE, "women's course: fits",
                        "women's course: only for women")
    if kind is CourseType.INTENSIVE:
        return _outcome("course_type", person.fast_learner, "intensive: fast learner",
                        "intensive course: needs long schooling or prior German")
    return RuleOutcome("course_type", True, f"{kind}: fits")


def next_step_fits(person: Applicant, course: Course) -> RuleOutcome:
    wanted = person.wanted_course_type
    return _outcome("next_step", wanted is None or course.course_type is wanted,
                    "no next step set" if wanted is None else f"next step: {wanted}",
                    f"next step: a {wanted} course is proposed")


def not_declined(person: Applicant, course: Course) -> RuleOutcome:
    return _outcome("not_declined", course.course_id not in person.declined_course_ids,
                    "not declined before", "declined this course before")


def entry_level_fits(person: Applicant, course: Course) -> RuleOutcome:
    """The person starts at the entry level or one step above, and has not reached the target."""
    level = level_index(person.survey.german_level)
    entry, target = level_index(course.entry_level), level_index(course.target_level)
    return _outcome("entry_level", entry <= level <= entry + 1 and level < target,
                    f"level {person.survey.german_level} fits {course.entry_level}→"
                    f"{course.target_level}",
                    f"level {person.survey.german_level} does not fit {course.entry_level}→"
                    f"{course.target_level}")


def schedule_fits(person: Applicant, course: Course) -> RuleOutcome:
    missing = set(course.schedule) - set(person.survey.availability)
    return _outcome("schedule", not missing, "every course time is available",
                    "not available: " + ", ".join(sorted(missing)))


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(h))


def travel_minutes(person: Applicant, course: Course) -> int | None:
    """Estimated one-way travel to an in-person course; None if it cannot be estimated."""
    region = person.survey.region_key
    if len(region) == 8 and region == course.region_key:
        return SAME_MUNICIPALITY_MINUTES
    if district_of(region) == district_of(course.region_key):
        return SAME_DISTRICT_MINUTES
    latitude, longitude = person.latitude, person.longitude
    course_latitude, course_longitude = course.latitude, course.longitude
    if latitude is None or longitude is None or course_latitude is None \
            or course_longitude is None:
        return None
    speed = CAR_KMH if person.survey.own_transport or course.transport_offered \
        else PUBLIC_TRANSPORT_KMH
    km = _distance_km((latitude, longitude), (course_latitude, course_longitude))
    return TRAVEL_OVERHEAD_MINUTES + math.ceil(km / speed * 60)


def attends_online(person: Applicant, course: Course) -> bool:
    return course.mode is not CourseMode.IN_PERSON and person.survey.can_attend_online


def reachable(person: Applicant, course: Course) -> RuleOutcome:
    if attends_online(person, course):
        return RuleOutcome("reachable", True, "attends online")
    if course.mode is CourseMode.ONLINE:
        return RuleOutcome("reachable", False, "online course: cannot attend online")
    if district_of(person.survey.region_key) == district_of(course.region_key):
        return RuleOutcome("reachable", True, "same district")
    minutes = travel_minutes(person, course)
    if minutes is None:
        return RuleOutcome("reachable", False, "other district, travel time unknown")
    return _outcome("reachable", minutes <= person.survey.max_travel_minutes,
                    f"about {minutes} min travel", f"about {minutes} min travel: too far")


def needs_childcare_place(person: Applicant, course: Course) -> bool:
    return person.survey.needs_childcare and not attends_online(person, course)


def childcare_offered(person: Applicant, course: Course) -> RuleOutcome:
    needed = needs_childcare_place(person, course)
    return _outcome("childcare", not needed or course.childcare_places > 0,
                    "childcare place offered" if needed else "no childcare needed",
                    "childcare needed: the course offers none")


def bookable(seats: Seats) -> RuleOutcome:
    status = seats.course.status
    return _outcome("course_open", seats.bookable, f"course is {status}",
                    f"course is {status}: takes nobody")


STRUCTURAL_RULES = (course_type_fits, next_step_fits, not_declined, entry_level_fits, schedule_fits,
                    reachable, childcare_offered)


def structural_outcomes(person: Applicant, seats: Seats) -> list[RuleOutcome]:
    """Every rule that does not depend on free seats, in a fixed order."""
    return [bookable(seats)] + [rule(person, seats.course) for rule in STRUCTURAL_RULES]


def seat_outcomes(person: Applicant, seats: Seats) -> list[RuleOutcome]:
    """Capacity: a free seat, and a free childcare place if one is needed."""
    outcomes = [_outcome("capacity", seats.free_seats > 0, "a seat is free", "course is full")]
    if needs_childcare_place(person, seats.course):
        outcomes.append(_outcome("childcare_capacity", seats.free_childcare > 0,
                                 "a childcare place is free", "childcare places are taken"))
    return outcomes


def structurally_eligible(person: Applicant, seats: Seats) -> bool:
    return all(outcome.passed for outcome in structural_outcomes(person, seats))


def eligible(person: Applicant, seats: Seats) -> bool:
    """All hard rules hold, seats included."""
    return structurally_eligible(person, seats) and all(
        outcome.passed for outcome in seat_outcomes(person, seats))
