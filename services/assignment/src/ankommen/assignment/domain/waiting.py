"""A person waiting for a course placement (*Warteliste*), known here only by pseudonym."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel


@dataclass(frozen=True)
class WaitingPerson:
    pseudonym: str
    region_key: str
    german_level: GermanLevel
    waiting_since: date
    #: Why no seat yet (a WaitlistReason), once an allocation has run.
    reason: str | None = None
    #: The next step (*Förderkette*) proposed for this person, if any.
    wanted_course_type: CourseType | None = None
    #: The month this wait was last counted as unmet demand for monitoring (once a month).
    unmet_reported_month: str | None = None
