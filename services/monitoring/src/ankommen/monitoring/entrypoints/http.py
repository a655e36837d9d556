"""Monitoring's HTTP API.

Public (no token): the anonymised statistics — every number protected by disclosure control,
as JSON or CSV — with a note on each month an admin corrected. Operators (role ADMIN):
``/status`` with the raw processing figures (facts processed, data freshness, consumer lag),
and ``/review``, the facts held instead of counted and the decisions on them; neither is
statistics (single facts, no disclosure control), so neither is ever public.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi import Query as QueryParameter
from fastapi.responses import Response
from pydantic import BaseModel, Field, StringConstraints, model_validator

from ankommen.monitoring.adapters.facts_topic import consumer_lag
from ankommen.monitoring.adapters.review import ReviewEntry
from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.domain.bounds import Reason
from ankommen.monitoring.domain.measures import ARRIVALS, MEASURES
from ankommen.monitoring.domain.review import Decision
from ankommen.monitoring.domain.tables import InvalidQuery, Query
from ankommen.monitoring.entrypoints.consumers import PURPOSE
from ankommen.monitoring.entrypoints.exports import (
    corrections_json,
    key_figures_json,
    table_csv,
    table_json,
)
from ankommen.monitoring.service.review import (
    MAX_DECIDED_AT_ONCE,
    corrections,
    decide,
    review_list,
)
from ankommen.monitoring.service.statistics import (
    coverage,
    data_as_of,
    fact_intake,
    key_figures,
    published_table,
)
from ankommen.shared.auth import Principal, Role
from ankommen.shared.errors import DomainError, NotFound
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.topics import FACTS

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DISTRICT = re.compile(r"^\d{5}$")
COMMON_PARAMETERS = {"from", "to", "by", "district", "lang"}


class InvalidParameter(DomainError):
    status = 422
    title = "Invalid request"


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


async def parse_query(runtime: ServiceRuntime, measure_name: str, parameters: dict[str, str]
                      ) -> Query:
    """A query from URL parameters; anything unknown or malformed is refused by name."""
    measure = MEASURES.get(measure_name)
    if measure is None:
        raise NotFound(f"measure: no measure {measure_name!r}", field="measure")
    dimensions = {dimension.name for dimension in measure.dimensions}
    for name in parameters:
        if name not in COMMON_PARAMETERS | dimensions:
            raise InvalidParameter(f"{name}: not a published dimension of this measure",
                                   field=name)
    for name in ("from", "to"):
        if name in parameters and not MONTH.match(parameters[name]):
            raise InvalidParameter(f"{name}: must be a month YYYY-MM", field=name)
    district = parameters.get("district") or None
    if district is not None and not DISTRICT.match(district):
        raise InvalidParameter("district: must be a 5-digit district key", field="district")
    last = parameters.get("to") or current_month()
    first = parameters.get("from")
    if first is None:
        months = (await coverage(runtime.uow)).months
        first = min(months[0], last) if months else last
    try:
        return Query(measure, first, last, parameters.get("by") or "month", district,
                     {name: parameters[name] for name in dimensions if name in parameters})
    except InvalidQuery as error:
        raise InvalidParameter(str(error), field=error.field) from None


def statistics_router(runtime: ServiceRuntime, settings: MonitoringSettings) -> APIRouter:
    api = APIRouter(prefix="/statistics", tags=["statistics"])
    policy = settings.disclosure

    @api.get("", summary="What is published: measures, dimensions, months, districts")
    async def catalogue() -> dict[str, Any]:
        covered = await coverage(runtime.uow)
        return {
            "measures": [{"name": measure.name, "distribution": measure.distribution,
                          "dimensions": {d.name: list(d.values) for d in measure.dimensions}}
                         for measure in MEASURES.values()],
            "months": covered.months,
            "districts": covered.districts,
            "data_as_of": covered.data_as_of.isoformat() if covered.data_as_of else None,
            "disclosure": {"min_count": policy.min_count,
                           "max_deviation": policy.max_deviation,
                           "min_distribution": policy.min_distribution},
            "corrections": corrections_json(await corrections(runtime.uow)),
        }

    @api.get("/key-figures", summary="The dashboard's key figures for months and district")
    async def figures(request: Request) -> dict[str, Any]:
        query = await parse_query(runtime, ARRIVALS.name,
                                  {**dict(request.query_params), "by": "month"})
        return key_figures_json(await key_figures(runtime.uow, query, policy,
                                                  settings.goal_b1_share_percent))

    # Registered before the JSON route: "{measure}" would otherwise also match "x.csv".
    @api.get("/{measure}.csv", summary="A protected table as CSV",
             response_class=Response, responses={200: {"content": {"text/csv": {}}}})
    async def table_as_csv(measure: str, request: Request) -> Response:
        query = await parse_query(runtime, measure, dict(request.query_params))
        table = await published_table(runtime.uow, query, policy)
        return Response(table_csv(table), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{query.measure.name}.csv"'})

    @api.get("/{measure}", summary="A protected table: rows of one breakdown and the total")
    async def table(measure: str, request: Request) -> dict[str, Any]:
        query = await parse_query(runtime, measure, dict(request.query_params))
        published = await published_table(runtime.uow, query, policy)
        return table_json(published, await data_as_of(runtime.uow), await corrections(
            runtime.uow, query.first_month, query.last_month))

    return api


def status_router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["operations"])

    @api.get("/status", summary="Facts processed, data freshness and consumer lag (operators)",
             dependencies=[runtime.auth.require(Role.ADMIN)])
    async def status() -> dict[str, Any]:
        intake = await fact_intake(runtime.uow)
        newest = max((row.last_published_at for row in intake if row.last_published_at),
                     default=None)
        try:
            lag: int | None = await asyncio.wait_for(consumer_lag(
                runtime.kafka, FACTS, runtime.group_id(PURPOSE)), 5)
        except Exception:  # the broker may be away; the rest of the status still helps
            lag = None
        return {
            "facts_processed": sum(row.applied + row.held + row.unused for row in intake),
            "facts_held": sum(row.held for row in intake),
            "facts_unused": sum(row.unused for row in intake),
            "by_type": [{"type": row.fact_type, "applied": row.applied, "held": row.held,
                         "unused": row.unused,
                         "last_published_at": row.last_published_at.isoformat()
                         if row.last_published_at else None}
                        for row in intake],
            "last_fact_published_at": newest.isoformat() if newest else None,
            "freshness_seconds": (datetime.now(UTC) - newest).total_seconds()
            if newest else None,
            "consumer_lag": lag,
        }

    return api


#: An event id as envelopes carry it (no control characters: a database may refuse them).
EventId = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]{1,64}$")]


class DecisionRequest(BaseModel):
    """Apply or discard review entries: the named ones, or every pending one with a reason
    (and month)."""

    decision: Literal["apply", "discard"]
    event_ids: list[EventId] = Field(default_factory=list, max_length=MAX_DECIDED_AT_ONCE)
    reason: Reason | None = None
    month: Annotated[str, StringConstraints(pattern=MONTH.pattern)] | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> DecisionRequest:
        if bool(self.event_ids) == (self.reason is not None):
            raise ValueError("name the entries (event_ids) or select them by reason, not both")
        if self.month is not None and self.reason is None:
            raise ValueError("month selects only together with reason")
        return self


def _entry_json(entry: ReviewEntry) -> dict[str, Any]:
    """A held fact as the admin sees it: why, where, when — and its attributes (coarse, no
    personal data; the record key is left out)."""
    envelope = json.loads(entry.body) if entry.body else {}
    attributes = {name: value for name, value in (envelope.get("data") or {}).items()
                  if name != "record_key"}
    return {"event_id": entry.event_id, "type": entry.fact_type, "reason": entry.reason,
            "month": entry.month, "district": entry.district,
            "received_at": entry.received_at.isoformat() if entry.received_at else None,
            "published_at": envelope.get("time"), "source": envelope.get("source"),
            "attributes": attributes}


def review_router(runtime: ServiceRuntime, settings: MonitoringSettings) -> APIRouter:
    api = APIRouter(prefix="/review", tags=["review"])
    admin = runtime.auth.require(Role.ADMIN)

    @api.get("", summary="Facts held for review instead of counted, and the decisions (admins)",
             dependencies=[admin])
    async def pending(reason: Reason | None = None,
                      month: Annotated[str | None, QueryParameter(pattern=MONTH.pattern)] = None,
                      limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100
                      ) -> dict[str, Any]:
        overview = await review_list(runtime.uow, reason, month, limit)
        return {
            "pending": {"total": sum(overview.pending.values()),
                        "by_reason": overview.pending},
            "entries": [_entry_json(entry) for entry in overview.entries],
            "decisions": [{"event_id": record.event_id, "decision": record.decision.value,
                           "reason": record.reason, "month": record.month,
                           "decided_by": record.decided_by,
                           "decided_at": record.decided_at.isoformat()}
                          for record in overview.decisions],
            "corrections": corrections_json(await corrections(runtime.uow)),
        }

    @api.post("/decisions", summary="Apply (count, as a correction of its month) or discard "
                                    "review entries (admins)")
    async def decisions(request: DecisionRequest, actor: Principal = admin) -> dict[str, Any]:
        decided = await decide(
            runtime.uow, settings.bounds(),
            Decision.APPLIED if request.decision == "apply" else Decision.DISCARDED,
            f"{actor.role.value}:{actor.subject}", datetime.now(UTC),
            event_ids=request.event_ids, reason=request.reason, month=request.month)
        return {"decision": decided.decision.value, "event_ids": decided.event_ids,
                "corrections": corrections_json(decided.corrections)}

    return api


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    settings = runtime.settings
    if not isinstance(settings, MonitoringSettings):
        raise TypeError("monitoring's routers need MonitoringSettings")
    return [statistics_router(runtime, settings), status_router(runtime),
            review_router(runtime, settings)]
