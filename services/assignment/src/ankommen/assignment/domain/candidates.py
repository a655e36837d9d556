"""Which courses each waiting person may take (*passende Kurse*), without testing every pair.

Testing every rule for every person and course is O(people × courses) rule calls — hours for a
federal state's 50,000 people and 2,000 courses. But the rules read only a few attributes:

- the *content* rules (course open, course type, next step, entry level, schedule) read the
  person's literacy, script, youth, children, gender, pace, wanted next step, German level and
  availability, and the course's status, type, levels and schedule;
- the *place* rules (reachable, childcare) read the person's region, coordinates, transport,
  online attendance, travel limit and children, and the course's mode, region, coordinates,
  transport and whether it offers childcare.

So people fall into few content keys and place keys, courses into few content and place classes.
The rules of :mod:`eligibility` (and the score parts of :mod:`scoring`) are evaluated once per
key and class, on representatives — the outcomes and their reasons are exactly the rules' own —
and numpy spreads them over the courses. People with the same keys, previous provider and
declined courses form one :class:`Profile`: the same fitting courses at the same costs, which the
optimiser and the greedy baseline treat as one group. Reasons are assembled only for the
placements that are kept and for the people nothing fits.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date

import numpy as np

from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.assignment.domain.eligibility import (
    YOUTH_AGE_LIMIT,
    RuleOutcome,
    bookable,
    childcare_offered,
    course_type_fits,
    entry_level_fits,
    needs_childcare_place,
    next_step_fits,
    reachable,
    schedule_fits,
)
from ankommen.assignment.domain.scoring import (
    PROVIDER_CHANGE,
    Score,
    pace_cost,
    rotation_cost,
    travel_cost,
    wait_days,
)
from ankommen.shared.events.contracts.intake import Gender

NOT_DECLINED = RuleOutcome("not_declined", True, "not declined before")
#: The order of :func:`eligibility.structural_outcomes`; ties in failure counts follow it.
RULE_ORDER = ("course_open", "course_type", "next_step", "not_declined", "entry_level",
              "schedule", "reachable", "childcare")
#: A grouping key: only compared and hashed, never taken apart.
Key = tuple[Hashable, ...]


def _content_key(person: Applicant) -> Key:
    survey = person.survey
    return (survey.reads_latin_script, survey.literate_other_script,
            survey.age_years < YOUTH_AGE_LIMIT, survey.needs_childcare,
            survey.gender is Gender.FEMALE, person.fast_learner, person.wanted_course_type,
            survey.german_level, frozenset(survey.availability))


def _place_key(person: Applicant) -> Key:
    survey = person.survey
    return (survey.region_key, person.latitude, person.longitude, survey.own_transport,
            survey.can_attend_online, survey.max_travel_minutes, survey.needs_childcare)


def _content_class(seats: Seats) -> Key:
    course = seats.course
    return (course.status, course.course_type, course.entry_level, course.target_level,
            frozenset(course.schedule))


def _place_class(seats: Seats) -> Key:
    course = seats.course
    return (course.mode, course.region_key, course.latitude, course.longitude,
            course.transport_offered, course.childcare_places > 0)


def fit_key(seats: Seats) -> Key:
    """Everything of a course that decides who fits it (not its free seats): equal keys, equal
    fitting people."""
    return (seats.course.course_id, _content_class(seats), _place_class(seats))


def who_could_take_a_seat(fits: Mapping[str, frozenset[str]], courses_with_room: Set[str]
                          ) -> set[str]:
    """Of the waiting people (``fits``: the ids of the courses that fit each), those whom a
    course with a free seat fits. Nobody else can be placed now, whoever else is allocated
    (the others only have arcs into full courses): an allocation over these people and the
    same courses has the same optima, tier by tier, as the full allocation over everyone, and
    places exactly whom and where it would unless two choices cost the same in every tier
    (people of the same priority who joined on the same day, seatings of equal cost) — the
    ground of the incremental step."""
    return {pseudonym for pseudonym, courses in fits.items()
            if not courses.isdisjoint(courses_with_room)}


@dataclass(frozen=True)
class _Evaluated:
    """One person key against every course class: outcomes, pass flags and a cost part."""

    outcomes: list[tuple[RuleOutcome, ...]]
    passed: np.ndarray
    cost: np.ndarray
    #: Only for place keys: whether the person takes a childcare place in that class.
    childcare: np.ndarray
    #: Equal for evaluations that let through the same classes at the same costs.
    signature: int


@dataclass
class Profile:
    """People who fit the same courses at the same costs (indices into the index's lists)."""

    members: list[int]
    courses: np.ndarray
    childcare: np.ndarray
    wait: np.ndarray
    secondary: np.ndarray
    #: The same courses as bundles (see :class:`Bundle`), with the cost of each.
    bundles: np.ndarray
    bundle_secondary: np.ndarray


@dataclass(frozen=True)
class Bundle:
    """Courses of one kind, place and provider that a person fits alike: the same secondary
    cost and the same need of a childcare place, differing only in their start. The optimiser
    routes people to a bundle and the bundle to its courses, which needs far fewer arcs than
    one per person and course."""

    courses: np.ndarray
    childcare: bool


class _Classes:
    """Courses grouped by a class key: each course's class number and one representative."""

    def __init__(self, courses: Sequence[Seats], key: Callable[[Seats], Key]) -> None:
        numbers: dict[Key, int] = {}
        self.of_course = np.fromiter(
            (numbers.setdefault(key(seats), len(numbers)) for seats in courses), dtype=np.int64,
            count=len(courses))
        first: dict[int, Seats] = {}
        numbered: list[int] = self.of_course.tolist()
        for seats, number in zip(courses, numbered, strict=True):
            first.setdefault(number, seats)
        self.representatives = [first[number] for number in range(len(numbers))]
        self.sizes = np.bincount(self.of_course, minlength=len(numbers))


class CandidateIndex:
    """The fitting courses of every person, grouped into :class:`Profile` s."""

    def __init__(self, people: Sequence[Applicant], courses: Sequence[Seats], today: date,
                 provider_load: dict[str, int] | None = None) -> None:
        self.people, self.courses = people, courses
        self._content_classes = _Classes(courses, _content_class)
        self._place_classes = _Classes(courses, _place_class)
        self._course_number = {seats.course.course_id: j for j, seats in enumerate(courses)}
        providers: dict[str, int] = {}
        self._provider = np.array([providers.setdefault(seats.course.provider_id, len(providers))
                                   for seats in courses], dtype=np.int64)
        clusters: dict[Key, int] = {}
        self._cluster = np.array(
            [clusters.setdefault((content, place, provider), len(clusters))
             for content, place, provider in zip(self._content_classes.of_course.tolist(),
                                                 self._place_classes.of_course.tolist(),
                                                 self._provider.tolist(), strict=True)],
            dtype=np.int64)
        self._bundle_numbers: dict[Key, int] = {}
        self.bundles: list[Bundle] = []
        self._providers = providers
        load = provider_load or {}
        total = sum(load.values())
        self._rotation = np.array(
            [rotation_cost(load.get(seats.course.provider_id, 0) / total if total else 0.0)
             for seats in courses], dtype=np.int64)
        self.wait = np.array([wait_days(seats.course, today) for seats in courses],
                             dtype=np.int64)
        self._signatures: dict[Key, int] = {}
        self._contents: dict[Key, _Evaluated] = {}
        self._places: dict[Key, _Evaluated] = {}
        #: Per person: its content and place evaluation (for the reasons of a placement).
        self.content_of: list[_Evaluated] = []
        self.place_of: list[_Evaluated] = []
        profiles: dict[Key, Profile] = {}
        self.profile_of: list[Profile] = []
        for i, person in enumerate(people):
            content = self._content(_content_key(person), person)
            place = self._place(_place_key(person), person)
            self.content_of.append(content)
            self.place_of.append(place)
            # Keyed by what the evaluations say, not by the answers that led to them: people
            # with different answers but the same fitting courses and costs share a profile.
            key = (content.signature, place.signature, person.previous_provider_id,
                   person.declined_course_ids)
            profile = profiles.get(key)
            if profile is None:
                profile = profiles[key] = self._profile(person, content, place)
            profile.members.append(i)
            self.profile_of.append(profile)
        self.profiles = list(profiles.values())

    def _evaluated(self, outcomes: list[tuple[RuleOutcome, ...]], costs: list[int],
                   childcare: list[bool]) -> _Evaluated:
        passed = np.array([all(outcome.passed for outcome in row) for row in outcomes],
                          dtype=bool)
        cost = np.where(passed, np.array(costs, dtype=np.int64), 0)
        takes_childcare = passed & np.array(childcare, dtype=bool)
        key = (passed.tobytes(), cost.tobytes(), takes_childcare.tobytes())
        signature = self._signatures.setdefault(key, len(self._signatures))
        return _Evaluated(outcomes, passed, cost, takes_childcare, signature)

    def _content(self, key: Key, person: Applicant) -> _Evaluated:
        evaluated = self._contents.get(key)
        if evaluated is None:
            outcomes: list[tuple[RuleOutcome, ...]] = []
            costs: list[int] = []
            for seats in self._content_classes.representatives:
                course = seats.course
                outcomes.append((bookable(seats), course_type_fits(person, course),
                                 next_step_fits(person, course), entry_level_fits(person, course),
                                 schedule_fits(person, course)))
                costs.append(pace_cost(person, course))
            evaluated = self._contents[key] = self._evaluated(outcomes, costs,
                                                              [False] * len(costs))
        return evaluated

    def _place(self, key: Key, person: Applicant) -> _Evaluated:
        evaluated = self._places.get(key)
        if evaluated is None:
            outcomes: list[tuple[RuleOutcome, ...]] = []
            costs: list[int] = []
            childcare: list[bool] = []
            for seats in self._place_classes.representatives:
                course = seats.course
                outcomes.append((reachable(person, course), childcare_offered(person, course)))
                costs.append(travel_cost(person, course))
                childcare.append(needs_childcare_place(person, course))
            evaluated = self._places[key] = self._evaluated(outcomes, costs, childcare)
        return evaluated

    def _profile(self, person: Applicant, content: _Evaluated, place: _Evaluated) -> Profile:
        content_class = self._content_classes.of_course
        place_class = self._place_classes.of_course
        fits = content.passed[content_class] & place.passed[place_class]
        declined = [self._course_number[course_id] for course_id in person.declined_course_ids
                    if course_id in self._course_number]
        fits[declined] = False
        courses = np.flatnonzero(fits)
        secondary = (content.cost[content_class[courses]] + place.cost[place_class[courses]]
                     + self._rotation[courses])
        previous = person.previous_provider_id
        if previous is not None:
            secondary += PROVIDER_CHANGE * (self._provider[courses]
                                            != self._providers.get(previous, -1))
        childcare = place.childcare[place_class[courses]]
        order = np.argsort(self._cluster[courses], kind="stable")
        starts = np.flatnonzero(np.diff(self._cluster[courses][order], prepend=-1))
        bundles = [self._bundle(courses[part], bool(childcare[part[0]]))
                   for part in np.split(order, starts[1:])] if len(courses) else []
        return Profile([], courses, childcare, self.wait[courses], secondary,
                       np.array(bundles, dtype=np.int64), secondary[order[starts]])

    def _bundle(self, courses: np.ndarray, childcare: bool) -> int:
        key = (courses.tobytes(), childcare)
        number = self._bundle_numbers.get(key)
        if number is None:
            number = self._bundle_numbers[key] = len(self.bundles)
            self.bundles.append(Bundle(courses, childcare))
        return number

    def fitting_course_ids(self) -> list[frozenset[str]]:
        """Per person, the ids of the courses that fit (every structural rule passed, none
        declined) — whatever their free seats: what the kept index of
        :mod:`ankommen.assignment.service.placement_index` remembers between allocations.
        Computed once per profile."""
        ids: dict[int, frozenset[str]] = {}
        result: list[frozenset[str]] = []
        for profile in self.profile_of:
            found = ids.get(id(profile))
            if found is None:
                numbers: list[int] = profile.courses.tolist()
                found = ids[id(profile)] = frozenset(
                    self.courses[j].course.course_id for j in numbers)
            result.append(found)
        return result

    def rules(self, person: int, course: int) -> list[RuleOutcome]:
        """The structural rules a kept placement passed, as :func:`structural_outcomes` has
        them (same order, same reasons)."""
        opened, kind, step, level, schedule = self.content_of[person].outcomes[
            int(self._content_classes.of_course[course])]
        near, childcare = self.place_of[person].outcomes[
            int(self._place_classes.of_course[course])]
        return [opened, kind, step, NOT_DECLINED, level, schedule, near, childcare]

    def score(self, person: int, course: int) -> Score:
        seats = self.courses[course]
        previous = self.people[person].previous_provider_id
        return Score(int(self.wait[course]),
                     int(self.place_of[person].cost[self._place_classes.of_course[course]]),
                     int(self.content_of[person].cost[self._content_classes.of_course[course]]),
                     0 if previous in (None, seats.course.provider_id) else PROVIDER_CHANGE,
                     int(self._rotation[course]))

    def failed_rules(self, person: int, most: int = 3) -> list[str]:
        """The rules that fail for the most courses of the catalogue (ties in rule order)."""
        counts: dict[str, int] = dict.fromkeys(RULE_ORDER, 0)
        for evaluated, classes in ((self.content_of[person], self._content_classes),
                                   (self.place_of[person], self._place_classes)):
            for row, size in zip(evaluated.outcomes, classes.sizes.tolist(), strict=True):
                for outcome in row:
                    if not outcome.passed:
                        counts[outcome.rule] += size
        counts["not_declined"] = sum(course_id in self._course_number
                                     for course_id in self.people[person].declined_course_ids)
        ranked = sorted((rule for rule in RULE_ORDER if counts[rule]),
                        key=lambda rule: -counts[rule])
        return ranked[:most]
