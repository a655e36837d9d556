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

from ankommen.tools.synthetic.catalogue import catalogue
from ankommen.tools.synthetic.county import DISTRICT_KEY, MUNICIPALITIES, PROVIDERS
from ankommen.tools.synthetic.people import Arrival, arrivals
from ankommen.tools.synthetic.progress import reports_for

DEFAULT_SEED = 20260

__all__ = ["DEFAULT_SEED", "DISTRICT_KEY", "MUNICIPALITIES", "PROVIDERS", "Arrival", "County",
           "county", "reports_for"]


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
