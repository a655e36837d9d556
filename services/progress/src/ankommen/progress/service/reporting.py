"""Taking in provider reports — the use case behind every channel (web form, CSV, HTTP,
Kafka).

A batch is handled in the caller's one unit of work: one query each for placements, courses,
earlier reports and idempotency keys; validation in memory (a report sees the reports before
it in the same batch); one bulk insert of the accepted reports; their events to the outbox in
the same transaction. Refused reports are kept too (:mod:`ankommen.progress.service.refusals`),
in the same transaction, for the provider's page of refused reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError

from ankommen.progress.adapters.repository import NewReport
from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork, ProgressUnits
from ankommen.progress.domain.facts import ends_again
from ankommen.progress.domain.participation import Track
from ankommen.progress.domain.problems import Problem, ProblemKind
from ankommen.progress.domain.validation import assess
from ankommen.progress.service.announcements import announce
from ankommen.progress.service.refusals import keep_refused
from ankommen.shared.events.contracts.progress import Report

REPORT = TypeAdapter(Report)


class Channel(StrEnum):
    FORM = "form"
    CSV = "csv"
    HTTP = "http"
    KAFKA = "kafka"


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    #: The same report id with the same content again: nothing changes.
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Outcome:
    report_id: str | None
    referral_code: str | None
    verdict: Verdict
    problems: list[Problem] = field(default_factory=list[Problem])
    #: The report's kind where it is known (kept with a refusal; not part of the result).
    kind: str | None = field(default=None, compare=False)

    def refused(self) -> tuple[str | None, str | None, str | None, list[Problem]]:
        """What :mod:`ankommen.progress.service.refusals` keeps of a refused report."""
        return self.report_id, self.referral_code, self.kind, self.problems


def parse_report(raw: Any) -> tuple[Report | None, list[Problem]]:
    """Shape validation of one raw report, with problems named by field."""
    try:
        return REPORT.validate_python(raw), []
    except ValidationError as error:
        return None, problems_from(error)


def problems_from(error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors(include_url=False, include_input=False):
        # Drop the discriminator tag pydantic puts first in union locations.
        location = [str(part) for part in item["loc"]]
        if location and location[0] in REPORT_KINDS:
            location = location[1:]
        message = item["msg"].removeprefix("Value error, ")
        error_type = item["type"]
        if error_type in ("union_tag_invalid", "union_tag_not_found"):
            problems.append(Problem("kind", "must be one of " + ", ".join(sorted(REPORT_KINDS)),
                                    error_type=error_type))
            continue
        name, _, reason = message.partition(": ")
        limits = {key: int(value) if isinstance(value, float) and value.is_integer()
                  else value for key, value in (item.get("ctx") or {}).items()
                  if key in SHOWN_LIMITS}
        if reason and name.isidentifier():
            problems.append(Problem(name, reason, error_type=error_type))
        else:
            problems.append(Problem(".".join(location) or "report", message, values=limits,
                                    error_type=error_type))
    return problems


#: Limits of a shape error a page may name (``le`` of "at most 2000"); never the input.
SHOWN_LIMITS = frozenset({"ge", "gt", "le", "lt", "min_length", "max_length"})
REPORT_KINDS = {"enrolment", "attendance", "interruption", "resumption", "exam_result",
                "completion", "discontinuation", "retraction"}


def report_fields(raw: object) -> Mapping[str, object]:
    """The fields of a raw report, which should be a JSON object (whose keys are strings);
    none if it is something else."""
    return cast(dict[str, object], raw) if isinstance(raw, dict) else {}


def rejected(raw: Any, problems: list[Problem]) -> Outcome:
    identity = report_fields(raw)
    report_id = identity.get("report_id")
    referral_code = identity.get("referral_code")
    kind = identity.get("kind")
    return Outcome(report_id if isinstance(report_id, str) else None,
                   referral_code if isinstance(referral_code, str) else None,
                   Verdict.REJECTED, problems,
                   kind if isinstance(kind, str) and kind in REPORT_KINDS else None)


async def keep_unparsed(uow: ProgressUnitOfWork, provider_id: str, outcomes: Sequence[Outcome],
                        channel: Channel) -> None:
    """Keep the refusals of reports that failed parsing, before they reach
    :func:`submit_reports` (which keeps its own)."""
    await keep_refused(uow, provider_id, channel.value,
                       [outcome.refused() for outcome in outcomes
                        if outcome.verdict is Verdict.REJECTED])


async def submit_reports(uow: ProgressUnitOfWork, provider_id: str, batch: Sequence[Report],
                         channel: Channel, *, on: date | None = None) -> list[Outcome]:
    """Validate and store ``batch`` (reports of one provider) in ``uow``; one outcome each.
    The caller commits: refusals are kept too, so the unit is committed whatever the
    verdicts."""
    # Dates in reports are local dates of German providers: "in the future" is judged by
    # the county's day (the clock's today), received_at is an instant.
    on = on or uow.clock.today()
    catalogue = uow.catalogue
    repository = uow.reports
    codes = {report.referral_code for report in batch}
    placements = await catalogue.placements(codes)
    courses = await catalogue.courses({placement.course_id for placement in placements.values()})
    histories = await repository.histories(codes)
    tracks: dict[str, Track] = {}
    known = await repository.existing(provider_id, {report.report_id for report in batch})
    received_at = uow.clock.now()
    accepted: list[NewReport] = []
    outcomes: list[Outcome] = []
    for report in batch:
        earlier = known.get(report.report_id)
        if earlier is not None:
            outcomes.append(_repeated(report, earlier))
            continue
        placement = placements.get(report.referral_code)
        course = courses.get(placement.course_id) if placement else None
        track = tracks.get(report.referral_code)
        if track is None:
            track = tracks[report.referral_code] = Track(
                [stored.report for stored in histories.get(report.referral_code, ())])
        problems, after = assess(report, provider_id=provider_id, placement=placement,
                                 course=course, track=track, today=on)
        if problems:
            outcomes.append(Outcome(report.report_id, report.referral_code, Verdict.REJECTED,
                                    problems, report.kind))
            continue
        assert after is not None and placement is not None and course is not None, \
            "assess accepts a report only with its placement, course and the state after it"
        original = None if report.corrects_report_id is None else next(
            (item for item in track.history if item.report_id == report.corrects_report_id),
            None)
        ended_before = ends_again(report, track.history)
        track.append(report, after)
        known[report.report_id] = report
        accepted.append(NewReport(provider_id=provider_id, pseudonym=placement.pseudonym,
                                  channel=channel.value, received_at=received_at,
                                  report=report))
        await announce(uow, report, original=original, placement=placement, course=course,
                       after=after, ended_before=ended_before)
        outcomes.append(Outcome(report.report_id, report.referral_code, Verdict.ACCEPTED))
    await repository.add_all(accepted)
    await keep_refused(uow, provider_id, channel.value,
                       [outcome.refused() for outcome in outcomes
                        if outcome.verdict is Verdict.REJECTED])
    return outcomes


def _repeated(report: Report, earlier: Report) -> Outcome:
    if earlier == report:
        return Outcome(report.report_id, report.referral_code, Verdict.DUPLICATE)
    return Outcome(report.report_id, report.referral_code, Verdict.REJECTED, [Problem(
        "report_id", "already used for a different report; corrections need a new report id "
                     "and corrects_report_id", ProblemKind.CONFLICT)], report.kind)


#: Reports per transaction on the HTTP batch path (uploads: ``csv_import.UPLOAD_BATCH_ROWS``).
BATCH_SIZE = 250


async def submit_in_batches(uow: ProgressUnits, provider_id: str,
                            items: Sequence[Report | Outcome], channel: Channel,
                            *, batch_size: int = BATCH_SIZE) -> list[Outcome]:
    """The bulk path: parsed reports in batches of ``batch_size``, one transaction (reports
    and outbox rows) per batch; items that already failed parsing keep their outcome."""
    outcomes = {index: item for index, item in enumerate(items) if isinstance(item, Outcome)}
    parsed = [(index, item) for index, item in enumerate(items)
              if not isinstance(item, Outcome)]
    unparsed = [item for item in items if isinstance(item, Outcome)]
    if unparsed:
        async with uow() as unit:
            await keep_unparsed(unit, provider_id, unparsed, channel)
            await unit.commit()
    for start in range(0, len(parsed), batch_size):
        chunk = parsed[start:start + batch_size]
        async with uow() as unit:
            results = await submit_reports(unit, provider_id, [item for _, item in chunk],
                                           channel)
            await unit.commit()
        for (index, _), result in zip(chunk, results, strict=True):
            outcomes[index] = result
    return [outcomes[index] for index in range(len(items))]
