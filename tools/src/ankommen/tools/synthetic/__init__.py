"""A synthetic county with a fixed seed: arrivals (identity and survey), a course catalogue
across providers, and what providers report over the months.

Used by ``make demo`` (:mod:`ankommen.tools.demo`) and by the benchmarks (``bench/``). Same
seed, same ``today``, same county — so a demo or a benchmark can be repeated exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from ankommen.tools.synthetic.catalogue import catalogue, year_catalogue
from ankommen.tools.synthetic.county import DISTRICT_KEY, MUNICIPALITIES, PROVIDERS
from ankommen.tools.synthetic.people import Arrival, arrivals
from ankommen.tools.synthetic.progress import course_life, reports_for

DEFAULT_SEED = 20260

__all__ = ["DEFAULT_SEED", "DISTRICT_KEY", "MUNICIPALITIES", "PROVIDERS", "Arrival", "County",
           "county", "county_year", "course_life", "reports_for"]

#: Of a year's arrivals, the share already waiting when the county starts (registered on the
#: year's first day): the first courses start with enough people to reach their minimum.
WAITING_SHARE = 0.2


@dataclass(frozen=True)
class County:
    today: date
    arrivals: list[Arrival]
    courses: list[dict[str, Any]]

    def course(self, course_id: str) -> dict[str, Any]:
        return self._courses_by_id[course_id]

    @property
    def _courses_by_id(self) -> dict[str, dict[str, Any]]:
        return {course["course_id"]: course for course in self.courses}


def county(people: int, courses: int, today: date, seed: int = DEFAULT_SEED) -> County:
    """The arrivals of the current month (up to ``today``) and the catalogue."""
    rng = random.Random(seed)
    return County(today, arrivals(rng, people, today.replace(day=1), today),
                  catalogue(rng, courses, today))


def county_year(people: int, courses: int, first_day: date, today: date,
                seed: int = DEFAULT_SEED) -> County:
    """A county's year from ``first_day`` to ``today``: its waiting list and arrivals
    registered over the year, and a catalogue published on ``first_day`` whose courses end,
    run or start by ``today`` (the demo travels through it, see :mod:`ankommen.tools.demo`)."""
    rng = random.Random(seed)
    return County(today, arrivals(rng, people, first_day, today,
                                  waiting=round(people * WAITING_SHARE)),
                  year_catalogue(rng, courses, first_day, today))
