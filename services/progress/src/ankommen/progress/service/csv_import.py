"""A provider's CSV list in, a row-level result out: accepted rows stored, duplicates (the
same file again) left alone, rejected rows listed with their row number and reason — no row
dropped silently. Rows go through the same parsing and validation as every other channel, on
the bulk path (batches, one transaction each).

The list is read twice: once to count its rows (a list that is too long or unreadable
further down is refused as a whole, before anything is stored), then batch by batch, so that
a 100,000-row upload holds one batch of parsed reports at a time, and of the outcomes only
the counts and the rejected rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from ankommen.progress.adapters.csv_rows import CsvList, Row, UnreadableFile, parse_mapping
from ankommen.progress.service.reporting import (
    Channel,
    Outcome,
    Verdict,
    keep_unparsed,
    parse_report,
    rejected,
    submit_reports,
)
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory

#: The default limit (``ProgressSettings.csv_max_rows``): a larger list is refused as a whole.
MAX_ROWS = 100_000
#: Rows per transaction of an upload: larger than the HTTP batch path's, since an upload is
#: one provider's list, usually many reports per participant in a row.
UPLOAD_BATCH_ROWS = 1_000


@dataclass(frozen=True)
class RowOutcome:
    row: int
    outcome: Outcome


@dataclass
class CsvResult:
    rows: int
    accepted: int = 0
    duplicates: int = 0
    rejected: list[RowOutcome] = field(default_factory=list)

    def count(self, row: int, outcome: Outcome) -> None:
        if outcome.verdict is Verdict.ACCEPTED:
            self.accepted += 1
        elif outcome.verdict is Verdict.DUPLICATE:
            self.duplicates += 1
        else:
            self.rejected.append(RowOutcome(row, outcome))


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


async def import_csv(uow: UnitOfWorkFactory, provider_id: str, content: bytes,
                     mapping: str | None = None, max_rows: int = MAX_ROWS,
                     *, batch_rows: int = UPLOAD_BATCH_ROWS) -> CsvResult:
    """Raises :class:`UnreadableFile` for a file that cannot be read as a list at all (or
    has more than ``max_rows`` rows)."""
    listing = CsvList(content, parse_mapping(mapping))
    result = CsvResult(rows=listing.count())
    if result.rows > max_rows:
        raise UnreadableFile("file", f"more than {max_rows:,} rows; split the list")
    for batch in _batches(listing.rows(), batch_rows):
        parsed, unparsed = [], []
        for row in batch:
            report, problems = parse_report(row.report)
            if report is None:
                unparsed.append(rejected(row.report, problems))
                result.count(row.number, unparsed[-1])
            else:
                parsed.append((row.number, report))
        async with uow() as unit:
            await keep_unparsed(unit, provider_id, unparsed, Channel.CSV)
            outcomes = await submit_reports(unit, provider_id,
                                            [report for _, report in parsed],
                                            Channel.CSV) if parsed else []
        for (number, _), outcome in zip(parsed, outcomes, strict=True):
            result.count(number, outcome)
    result.rejected.sort(key=lambda item: item.row)
    return result
