"""Finding internal codes in what a person reads on a page (issue 19: "No page for people shows
an internal code where a word exists").

The visible text is the page with its tags, scripts and styles removed (attributes such as
``data-status`` may keep codes: they are for scripts and tests, not read). A code is found as a
whole token: ``general_integration`` in "general_integration", not "open" inside "geöffnet".
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from enum import StrEnum

from ankommen.assignment.domain.placement import PlacementStatus as AssignmentPlacementStatus
from ankommen.progress.domain.participation import Standing, Status
from ankommen.progress.domain.state import ParticipationState
from ankommen.progress.service.reporting import Channel
from ankommen.shared.events.contracts.assignment import (
    CourseApproval,
    CourseMode,
    CourseStatus,
    WaitlistReason,
)
from ankommen.shared.events.contracts.intake import AgeBand, SchoolingBand
from ankommen.shared.events.contracts.progress import (
    AttendanceBand,
    CourseOutcome,
    DiscontinuationReason,
    ExamOutcome,
    ExamType,
    InterruptionReason,
    ReportKind,
    Skill,
)
from ankommen.shared.events.contracts.vocabulary import CourseType, TimeSlot

#: Every enum the coordinators', providers' and public pages render.
RENDERED_ENUMS: tuple[type[StrEnum], ...] = (
    CourseType, TimeSlot, CourseMode, CourseStatus, CourseApproval, WaitlistReason,
    AssignmentPlacementStatus, ParticipationState, Status, Standing, Channel, ReportKind,
    ExamType, DiscontinuationReason, InterruptionReason, Skill, AttendanceBand, ExamOutcome,
    CourseOutcome, AgeBand, SchoolingBand)
#: Assignment's rule and score names, shown in allocation explanations.
RULE_NAMES = ("course_open", "course_type", "next_step", "not_declined", "entry_level",
              "schedule", "reachable", "childcare", "capacity", "childcare_capacity",
              "wait_days", "travel", "pace", "continuity", "rotation")
#: Deliberate exceptions, with the reason:
#: - German levels (A1 … C2) are the words people use (CEFR), not internal codes; they are not
#:   in RENDERED_ENUMS at all.
#: - "csv" and "form": on a German page "CSV" and "Formular" are the words; a lower-case token
#:   "csv"/"form" would only come from a code, so they stay in the list.
#: - the demand groups' "yes"/"no"/"other" are English words: checked like every English code.
DEMAND_CODES = ("yes", "no", "other")
#: On English pages an English word that happens to be a code ("open", "confirmed",
#: "mornings") is the word; only codes no English text contains count there.
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")
_TOKENS = re.compile(r"[\w-]+")


def codes(values: Iterable[str] = ()) -> set[str]:
    """Every code the pages could show raw (``values``: more of them, e.g. district keys)."""
    found = {member.value for enum in RENDERED_ENUMS for member in enum}
    return found | set(RULE_NAMES) | set(DEMAND_CODES) | set(values)


def visible_text(page: str) -> str:
    return html.unescape(_TAGS.sub(" ", _SCRIPTS.sub(" ", page)))


def raw_codes(page: str, language: str, extra: Iterable[str] = ()) -> list[str]:
    """The codes ``page`` shows as words (sorted, once each): on German pages every code, on
    English pages the codes that are no English word (those with ``_``, and ``extra`` ones
    such as district keys)."""
    wanted = codes(extra)
    if language == "en":
        wanted = {code for code in wanted if "_" in code} | set(extra)
    return sorted({token for token in _TOKENS.findall(visible_text(page)) if token in wanted})


def title_of(page: str) -> str:
    """The ``<title>`` element's content as served (tags in it would be a rendering bug)."""
    match = re.search(r"<title>(.*?)</title>", page, re.S)
    assert match, "the page has no title"
    return match.group(1)
