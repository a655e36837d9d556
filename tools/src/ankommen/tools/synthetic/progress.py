"""What a provider reports about one participant, month by month, up to today.

Enrolment in the first week of the course (or on the day of a late entry), one attendance
report per calendar month, now and then an interruption and the return, and at the end of the
course the exam (DTZ for integration courses, a job-related exam for job-related German) and
the completion — or a discontinuation with its reason. Shares are rounded from the federal
integration-course statistics: roughly one in five participants leaves early, about half of
the DTZ candidates reach B1 and most of the others A2.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ankommen.tools.synthetic.people import pick

INTEGRATION_TYPES = {"general_integration", "literacy", "second_script", "youth", "parents",
                     "women", "intensive"}
JOB_RELATED_TYPES = {"job_related_b2", "job_related_c1", "job_related_profession"}


def _month_periods(first: date, last: date) -> list[tuple[date, date]]:
    periods, start = [], first
    while start <= last:
        next_month = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        periods.append((start, min(last, next_month - timedelta(days=1))))
        start = next_month
    return periods


def _exam(rng: random.Random, course: dict[str, Any]) -> tuple[str, bool, str | None]:
    kind = course["course_type"]
    if kind in INTEGRATION_TYPES:
        level = pick(rng, (("B1", 0.5), ("A2", 0.38), (None, 0.12)))
        return "dtz", level is not None, level
    if kind in JOB_RELATED_TYPES:
        passed = rng.random() < 0.65
        return "job_related", passed, course["target_level"] if passed else None
    return "other", True, course["target_level"]


def reports_for(rng: random.Random, referral_code: str, course: dict[str, Any],
                today: date) -> list[dict[str, Any]]:
    """Every report of one participant, in the order the provider sends them; all dated on or
    before ``today`` and inside the course period."""
    starts_on, ends_on = date.fromisoformat(course["starts_on"]), \
        date.fromisoformat(course["ends_on"])
    if starts_on > today:
        return []
    last_day = min(ends_on, today)
    entered = starts_on + timedelta(days=rng.randrange(min(7, (last_day - starts_on).days + 1)))
    sequence = iter(range(1, 1000))

    def report(kind: str, **fields: Any) -> dict[str, Any]:
        return {"report_id": f"{referral_code}-{next(sequence):02d}", "referral_code":
                referral_code, "kind": kind, **fields}

    reports = [report("enrolment", started_on=entered.isoformat())]
    ended = ends_on <= today
    leaves = rng.random() < (0.2 if ended else 0.08)
    leave_day = None
    if leaves and (last_day - entered).days > 2:
        # Half of the dropouts of an ending course fall into its last weeks (this month).
        if ended and rng.random() < 0.5:
            earliest = max(entered + timedelta(days=1), today.replace(day=1))
        else:
            earliest = entered + timedelta(days=1)
        if earliest <= last_day:
            leave_day = earliest + timedelta(days=rng.randrange((last_day - earliest).days + 1))
    stop = leave_day - timedelta(days=1) if leave_day else last_day
    total_days = (ends_on - starts_on).days + 1
    diligence = min(1.0, max(0.3, rng.gauss(0.86, 0.12)))
    for period_start, period_end in _month_periods(entered, stop):
        planned = int(course["hours"] * ((period_end - period_start).days + 1) / total_days)
        if planned < 1:
            continue
        reports.append(report("attendance", period_start=period_start.isoformat(),
                              period_end=period_end.isoformat(),
                              hours_attended=round(planned * diligence, 1),
                              hours_planned=planned))
    if leave_day is not None:
        reports.append(report("discontinuation", discontinued_on=leave_day.isoformat(),
                              reason=pick(rng, (("work", 0.3), ("moved_away", 0.2),
                                                ("childcare", 0.15), ("illness", 0.1),
                                                ("transport", 0.1), ("overtaxed", 0.1),
                                                ("unknown", 0.05)))))
        return reports
    if not ended:
        if rng.random() < 0.1 and (today - entered).days > 14:
            paused = today - timedelta(days=rng.randrange(1, 10))
            reports.append(report("interruption", interrupted_on=paused.isoformat(),
                                  reason=pick(rng, (("illness", 0.4), ("childcare", 0.3),
                                                    ("travel", 0.15), ("pregnancy", 0.15)))))
            if rng.random() < 0.5:
                reports.append(report("resumption", resumed_on=today.isoformat()))
        return reports
    exam, passed, level = _exam(rng, course)
    taken_on = max(starts_on, ends_on - timedelta(days=rng.randrange(0, 4)))
    reports.append(report("exam_result", exam=exam, taken_on=taken_on.isoformat(),
                          passed=passed, level_reached=level))
    reports.append(report("completion", completed_on=ends_on.isoformat(),
                          level_reached=level))
    return reports


def course_life(rng: random.Random, referral_code: str, course: dict[str, Any],
                confirmed_on: date) -> list[tuple[date, dict[str, Any]]]:
    """Every report a provider will send about one participant whose seat it confirmed on
    ``confirmed_on``, each with the day it can be sent (the day it is about): the enrolment
    within a week of the start (or of the confirmation, for a late entry), one attendance
    report per calendar month, now and then an interruption and the return, and the exam and
    completion on the last days — or a discontinuation. The demo sends each once its day has
    come on the county's clock, so no report is about a day still ahead."""
    starts_on, ends_on = date.fromisoformat(course["starts_on"]), \
        date.fromisoformat(course["ends_on"])
    entered = min(max(starts_on, confirmed_on) + timedelta(days=rng.randrange(7)), ends_on)
    sequence = iter(range(1, 1000))
    life: list[tuple[date, dict[str, Any]]] = []

    def report(day: date, kind: str, **fields: Any) -> None:
        life.append((day, {"report_id": f"{referral_code}-{next(sequence):02d}",
                           "referral_code": referral_code, "kind": kind, **fields}))

    report(entered, "enrolment", started_on=entered.isoformat())
    leave_day = None
    if rng.random() < 0.18 and (ends_on - entered).days > 2:
        leave_day = entered + timedelta(days=1 + rng.randrange((ends_on - entered).days - 1))
    stop = leave_day - timedelta(days=1) if leave_day else ends_on
    total_days = (ends_on - starts_on).days + 1
    diligence = min(1.0, max(0.3, rng.gauss(0.86, 0.12)))
    for period_start, period_end in _month_periods(entered, stop):
        planned = int(course["hours"] * ((period_end - period_start).days + 1) / total_days)
        if planned >= 1:
            report(period_end, "attendance", period_start=period_start.isoformat(),
                   period_end=period_end.isoformat(),
                   hours_attended=round(planned * diligence, 1), hours_planned=planned)
    if leave_day is None and rng.random() < 0.12 and (stop - entered).days > 45:
        paused = entered + timedelta(days=14 + rng.randrange((stop - entered).days - 42))
        resumed = paused + timedelta(days=rng.randrange(3, 15))
        report(paused, "interruption", interrupted_on=paused.isoformat(),
               reason=pick(rng, (("illness", 0.4), ("childcare", 0.3), ("travel", 0.15),
                                 ("pregnancy", 0.15))))
        report(resumed, "resumption", resumed_on=resumed.isoformat())
    if leave_day is not None:
        report(leave_day, "discontinuation", discontinued_on=leave_day.isoformat(),
               reason=pick(rng, (("work", 0.3), ("moved_away", 0.2), ("childcare", 0.15),
                                 ("illness", 0.1), ("transport", 0.1), ("overtaxed", 0.1),
                                 ("unknown", 0.05))))
    else:
        exam, passed, level = _exam(rng, course)
        taken_on = max(entered, ends_on - timedelta(days=rng.randrange(0, 4)))
        report(taken_on, "exam_result", exam=exam, taken_on=taken_on.isoformat(),
               passed=passed, level_reached=level)
        report(ends_on, "completion", completed_on=ends_on.isoformat(), level_reached=level)
    # In the order they happen; a stable sort keeps a day's reports in the order made.
    return sorted(life, key=lambda item: item[0])
