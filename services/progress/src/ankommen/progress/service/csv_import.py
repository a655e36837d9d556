"""A provider's list (CSV or Excel) in, a row-level result out: accepted rows stored,
duplicates (the same rows again) left alone, rejected rows listed with their row number,
column and reason — no row dropped silently. Rows go through the same parsing and validation
as every other channel, on the bulk path (batches, one transaction each).

A **preview** (``dry_run``) runs exactly the same code in one transaction that is never
committed (so rolled back at the end): its counts are what storing would give (later rows see
earlier ones, as when stored), and nothing is kept.

The list is read twice: once to count its rows (a list that is too long or unreadable
further down is refused as a whole, before anything is stored), then batch by batch, so that
a 100,000-row upload holds one batch of parsed reports at a time, and of the outcomes only
the counts and the rejected rows.

**Report ids.** A row without a ``Meldungs-ID`` gets one derived from its content
(:func:`derived_report_id`): the same row uploaded again has the same id and is a duplicate,
so re-uploading a list is idempotent; a row whose content changed is a new report, which
validation judges like any other (see docs/progress.md, "Lists").
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from ankommen.progress.adapters.csv_rows import (
    ReportList,
    Row,
    UnreadableFile,
    csv_source,
    parse_mapping,
)
from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork, ProgressUnits
from ankommen.progress.adapters.xlsx_rows import is_workbook, xlsx_source
from ankommen.progress.service.reporting import (
    Channel,
    Outcome,
    Verdict,
    keep_unparsed,
    parse_report,
    rejected,
    submit_reports,
)
from ankommen.shared.events.contracts.progress import Report

#: The default limit (``ProgressSettings.csv_max_rows``): a larger list is refused as a whole.
MAX_ROWS = 100_000
#: Rows per transaction of an upload: larger than the HTTP batch path's, since an upload is
#: one provider's list, usually many reports per participant in a row.
UPLOAD_BATCH_ROWS = 1_000
#: The namespace of derived report ids (fixed: a changed namespace would make every list
#: uploaded before a list of new reports).
LIST_ROW_NAMESPACE = uuid.UUID("6f1f3c2e-5b0a-4c39-9a37-2f6a2c1b7d41")
#: Derived ids start so, which tells them from the ids providers choose.
DERIVED_PREFIX = "liste-"
#: A syntactically valid stand-in while a row without id is parsed.
PLACEHOLDER_ID = "liste-pending"


@dataclass(frozen=True)
class RowOutcome:
    row: int
    outcome: Outcome


@dataclass
class CsvResult:
    rows: int
    accepted: int = 0
    duplicates: int = 0
    rejected: list[RowOutcome] = field(default_factory=list[RowOutcome])
    #: Our column → the list's own header for it (refusals name the column so).
    headers: dict[str, str] = field(default_factory=dict[str, str])
    #: A preview: nothing was stored.
    dry_run: bool = False

    def count(self, row: int, outcome: Outcome) -> None:
        if outcome.verdict is Verdict.ACCEPTED:
            self.accepted += 1
        elif outcome.verdict is Verdict.DUPLICATE:
            self.duplicates += 1
        else:
            self.rejected.append(RowOutcome(row, outcome))


def derived_report_id(provider_id: str, report: Report) -> str:
    """``liste-<uuid5>`` of the provider and the report's whole content (every field but the
    id, in its canonical JSON form: a date typed ``01.10.2026`` in a CSV list and a date cell
    in Excel give the same id)."""
    content = report.model_dump(mode="json", exclude={"report_id"})
    name = provider_id + "\n" + json.dumps(content, sort_keys=True, separators=(",", ":"))
    return DERIVED_PREFIX + uuid.uuid5(LIST_ROW_NAMESPACE, name).hex


def open_list(content: bytes, mapping: str | None = None) -> ReportList:
    """An uploaded file as a list: an Excel workbook by its content (not its name), any
    other file as CSV text."""
    source = xlsx_source(content) if is_workbook(content) else csv_source(content)
    return ReportList(source, parse_mapping(mapping))


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


def _parsed(provider_id: str, row: Row) -> Report | Outcome:
    """The row's report (with its derived id when it has none), or its refusal."""
    raw = row.report
    if "report_id" not in raw:
        report, problems = parse_report({**raw, "report_id": PLACEHOLDER_ID})
        if report is not None:
            return report.model_copy(update={
                "report_id": derived_report_id(provider_id, report)})
        return rejected(raw, problems)
    report, problems = parse_report(raw)
    return report if report is not None else rejected(raw, problems)


async def _store(unit: ProgressUnitOfWork, provider_id: str, unparsed: list[Outcome],
                 reports: list[Report]) -> list[Outcome]:
    """One batch in ``unit``: its refused rows kept for the refused-reports page, its
    reports submitted (the caller commits, or, previewing, does not)."""
    await keep_unparsed(unit, provider_id, unparsed, Channel.CSV)
    return await submit_reports(unit, provider_id, reports, Channel.CSV) if reports else []


async def _import(unit_of: ProgressUnits, provider_id: str, listing: ReportList,
                  result: CsvResult, batch_rows: int, shared: ProgressUnitOfWork | None) -> None:
    for batch in _batches(listing.rows(), batch_rows):
        result.rows += len(batch)
        parsed: list[tuple[int, Report]] = []
        unparsed: list[Outcome] = []
        for row in batch:
            item = _parsed(provider_id, row)
            if isinstance(item, Outcome):
                unparsed.append(item)
                result.count(row.number, item)
            else:
                parsed.append((row.number, item))
        reports = [report for _, report in parsed]
        if shared is not None:
            outcomes = await _store(shared, provider_id, unparsed, reports)
        else:
            async with unit_of() as unit:
                outcomes = await _store(unit, provider_id, unparsed, reports)
                await unit.commit()
        for (number, _), outcome in zip(parsed, outcomes, strict=True):
            result.count(number, outcome)


async def import_csv(uow: ProgressUnits, provider_id: str, content: bytes,
                     mapping: str | None = None, max_rows: int = MAX_ROWS,
                     *, batch_rows: int = UPLOAD_BATCH_ROWS, dry_run: bool = False
                     ) -> CsvResult:
    """Import a list (CSV or ``.xlsx``); with ``dry_run`` only say what importing would do.

    Raises :class:`UnreadableFile` for a file that cannot be read as a list at all (or has
    more than ``max_rows`` rows)."""
    listing = open_list(content, mapping)
    if listing.count() > max_rows:
        raise UnreadableFile("file", f"more than {max_rows:,} rows; split the list",
                             "imports.unreadable.rows", max_rows=max_rows)
    result = CsvResult(rows=0, headers=listing.headers, dry_run=dry_run)
    if dry_run:
        async with uow() as unit:
            # Left without a commit: every batch is rolled back.
            await _import(uow, provider_id, listing, result, batch_rows, unit)
    else:
        await _import(uow, provider_id, listing, result, batch_rows, None)
    result.rejected.sort(key=lambda item: item.row)
    return result
