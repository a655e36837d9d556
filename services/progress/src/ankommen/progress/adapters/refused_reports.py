"""The refused-reports store: one row per refused report, read back per provider, purged by
age."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.progress.adapters.tables import refused_reports
from ankommen.progress.domain.problems import Problem, ProblemKind
from ankommen.shared.db.results import affected_rows


@dataclass(frozen=True)
class RefusedReport:
    refused_at: datetime
    channel: str
    report_id: str | None
    referral_code: str | None
    kind: str | None
    problems: list[Problem]


def _shown(value: object) -> object:
    """A problem's value as JSON keeps it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def _problems_json(problems: list[Problem]) -> str:
    return json.dumps([{"field": item.field[:100], "reason": item.reason[:300],
                        "kind": item.kind.value, "text": item.text,
                        "values": {name: _shown(value) for name, value in item.values.items()}}
                       for item in problems], default=str)


def _value(value: object) -> object:
    """A stored value back as it was: the pages' texts format dates (``{day:%d.%m.%Y}``)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _problems(text: str) -> list[Problem]:
    return [Problem(item["field"], item["reason"], ProblemKind(item["kind"]), item["text"],
                    {name: _value(value) for name, value in item["values"].items()})
            for item in json.loads(text)]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back the stored UTC instant without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _cut(value: str | None, length: int) -> str | None:
    return value[:length] if isinstance(value, str) else None


class RefusedReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_all(self, provider_id: str, channel: str, refused_at: datetime,
                      rows: list[tuple[str | None, str | None, str | None, list[Problem]]]
                      ) -> None:
        """``rows``: (report id, referral code, kind, problems) of each refused report."""
        if rows:
            await self._session.execute(insert(refused_reports), [
                {"provider_id": provider_id, "channel": channel, "refused_at": refused_at,
                 "report_id": _cut(report_id, 64), "referral_code": _cut(code, 64),
                 "kind": _cut(kind, 20), "problems": _problems_json(problems)}
                for report_id, code, kind, problems in rows])

    async def of_provider(self, provider_id: str, limit: int) -> list[RefusedReport]:
        """The provider's latest ``limit`` refusals, newest first."""
        rows = await self._session.execute(
            select(refused_reports).where(refused_reports.c.provider_id == provider_id)
            .order_by(refused_reports.c.refused_at.desc(), refused_reports.c.id.desc())
            .limit(limit))
        return [RefusedReport(_aware(row.refused_at), row.channel, row.report_id, row.referral_code,
                              row.kind, _problems(row.problems)) for row in rows]

    async def delete_before(self, moment: datetime) -> int:
        return affected_rows(await self._session.execute(
            delete(refused_reports).where(refused_reports.c.refused_at < moment)))
