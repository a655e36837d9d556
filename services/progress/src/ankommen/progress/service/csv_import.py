"""A provider's CSV list in, a row-level result out: accepted rows stored, duplicates (the
same file again) left alone, rejected rows listed with their row number and reason — no row
dropped silently. Rows go through the same parsing and validation as every other channel, on
the bulk path (batches, one transaction each)."""

from __future__ import annotations

from dataclasses import dataclass

from ankommen.progress.adapters.csv_rows import UnreadableFile, parse_mapping, read_rows
from ankommen.progress.service.reporting import (
    Channel,
    Outcome,
    Verdict,
    parse_report,
    rejected,
    submit_in_batches,
)
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory

#: A larger list is refused as a whole (split it), rather than holding a request for minutes.
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowOutcome:
    row: int
    outcome: Outcome


@dataclass(frozen=True)
class CsvResult:
    rows: int
    accepted: int
    duplicates: int
    rejected: list[RowOutcome]


async def import_csv(uow: UnitOfWorkFactory, provider_id: str, content: bytes,
                     mapping: str | None = None) -> CsvResult:
    """Raises :class:`UnreadableFile` for a file that cannot be read as a list at all."""
    rows = list(read_rows(content, parse_mapping(mapping)))
    if len(rows) > MAX_ROWS:
        raise UnreadableFile("file", f"more than {MAX_ROWS} rows; split the list")
    items = []
    for row in rows:
        report, problems = parse_report(row.report)
        items.append(report if report is not None else rejected(row.report, problems))
    outcomes = await submit_in_batches(uow, provider_id, items, Channel.CSV)
    return CsvResult(
        rows=len(rows),
        accepted=sum(1 for outcome in outcomes if outcome.verdict is Verdict.ACCEPTED),
        duplicates=sum(1 for outcome in outcomes if outcome.verdict is Verdict.DUPLICATE),
        rejected=[RowOutcome(row.number, outcome) for row, outcome in zip(rows, outcomes,
                                                                            strict=True)
                  if outcome.verdict is Verdict.REJECTED])
