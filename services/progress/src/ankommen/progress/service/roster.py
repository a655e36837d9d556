"""The roster: one report kind for a whole course at once (attendance for a period, exam
results, enrolments, completions, dropouts), as a provider keeps it in its Excel list.

What is the same for everyone (the period and its planned hours, the exam, the day) is given
once; each participant's own value (hours attended, passed and level, the dropout's reason)
per row; a row left empty is not reported. Every report goes through
:func:`~ankommen.progress.service.reporting.submit_reports` (channel ``form``), like the
single-report form, and each row gets its own outcome.

Report ids are derived from (course, kind, period or day, referral code): the same roster
sent twice is the same reports again, which the use case answers as duplicates — a double
click or a reload after sending changes nothing.

The rows are the course's participants as progress knows them, read by the server: a code
typed into the form that is not in this provider's course is never read, and another
provider's course answers like an unknown one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from ankommen.progress.adapters.csv_rows import to_report
from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.progress.domain.catalogue import Course
from ankommen.progress.service.reporting import (
    Channel,
    Outcome,
    keep_unparsed,
    parse_report,
    rejected,
    submit_reports,
)
from ankommen.shared.errors import NotFound
from ankommen.shared.events.contracts.progress import Report

#: Per kind: the fields given once for the whole course, and each row's own fields. The
#: first row field decides whether a row is reported (an empty one is left out), except
#: where a tick (``include``) says so.
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "attendance": (("period_start", "period_end", "hours_planned"), ("hours_attended",)),
    "exam_result": (("exam", "date"), ("passed", "level_reached")),
    "enrolment": (("date",), ("include",)),
    "completion": (("date",), ("include", "level_reached")),
    "discontinuation": (("date",), ("reason",)),
}


@dataclass(frozen=True)
class Roster:
    course: Course
    referral_codes: list[str]


async def roster_of(uow: ProgressUnitOfWork, provider_id: str, course_id: str) -> Roster:
    """The course's participants whose placement still takes reports (offered, confirmed:
    declined, withdrawn and expired ones would only be refused); another provider's course
    reads like an unknown one."""
    catalogue = uow.catalogue
    course = (await catalogue.courses({course_id})).get(course_id)
    if course is None or course.provider_id != provider_id:
        raise NotFound("course_id: no such course of yours", field="course_id")
    codes = [placement.referral_code
             for placement in await catalogue.placements_of_provider(provider_id)
             if placement.course_id == course_id and placement.status.is_open]
    return Roster(course, codes)


def roster_report_id(course_id: str, kind: str, when: str, referral_code: str) -> str:
    """The same (course, kind, period or day, participant) gives the same id."""
    digest = hashlib.sha256(f"{course_id}|{kind}|{when}|{referral_code}".encode()).hexdigest()
    return f"roster-{digest[:40]}"


def _when(kind: str, common: Mapping[str, str]) -> str:
    if kind == "attendance":
        return f"{common.get('period_start', '')}..{common.get('period_end', '')}"
    if kind == "exam_result":
        return f"{common.get('exam', '')}@{common.get('date', '')}"
    return common.get("date", "")


def _reported(kind: str, own: Mapping[str, str]) -> bool:
    first = KINDS[kind][1][0]
    return bool(own.get(first))


async def submit_roster(uow: ProgressUnitOfWork, provider_id: str, roster: Roster, kind: str,
                        common: Mapping[str, str], rows: Mapping[str, Mapping[str, str]]
                        ) -> dict[str, Outcome]:
    """Report ``kind`` for the rows of ``roster`` that carry a value; an outcome per row
    reported. ``rows`` by referral code; codes not on the roster are ignored."""
    if kind not in KINDS:
        raise ValueError(f"not a roster kind: {kind}")
    shared_fields, _ = KINDS[kind]
    shared = {name: common[name] for name in shared_fields if common.get(name)}
    when = _when(kind, shared)
    parsed: list[Report] = []
    outcomes: dict[str, Outcome] = {}
    for code in roster.referral_codes:
        own = rows.get(code, {})
        if not _reported(kind, own):
            continue
        cells = {**shared, **{name: value for name, value in own.items()
                              if value and name != "include"}}
        raw = to_report({**cells, "kind": kind, "referral_code": code,
                         "report_id": roster_report_id(roster.course.course_id, kind, when,
                                                       code)})
        report, problems = parse_report(raw)
        if report is None:
            outcomes[code] = rejected(raw, problems)
        else:
            parsed.append(report)
    await keep_unparsed(uow, provider_id, list(outcomes.values()), Channel.FORM)
    for report, outcome in zip(parsed, await submit_reports(uow, provider_id, parsed,
                                                            Channel.FORM), strict=True):
        outcomes[report.referral_code] = outcome
    return {code: outcomes[code] for code in roster.referral_codes if code in outcomes}
