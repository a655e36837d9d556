"""Monitoring's HTTP API.

Public (no token): the anonymised statistics — every number protected by disclosure control,
as JSON or CSV — with a note on each month an admin corrected. Operators (role ADMIN):
``/status`` with the raw processing figures (facts processed, data freshness, consumer lag),
and ``/review``, the facts held instead of counted and the decisions on them; neither is
statistics (single facts, no disclosure control), so neither is ever public.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import Query as QueryParameter
from fastapi.responses import Response
from pydantic import BaseModel, Field, StringConstraints, model_validator

from ankommen.monitoring.adapters.facts_topic import consumer_lag
from ankommen.monitoring.adapters.review import ReviewEntry
from ankommen.monitoring.config import MonitoringRuntime, MonitoringSettings
from ankommen.monitoring.domain.bounds import Reason
from ankommen.monitoring.domain.catalogue import CATALOGUE, InvalidQuery, table_for, tables_of
from ankommen.monitoring.domain.catalogue import MONTH as MONTH_BREAKDOWN
from ankommen.monitoring.domain.measures import MEASURES, Measure
from ankommen.monitoring.domain.periods import InvalidPeriod, Period, PeriodKind
from ankommen.monitoring.domain.review import Decision
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.monitoring.domain.tables import Query
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
    fact_intake,
    published_periods,
    published_through,
)
from ankommen.monitoring.service.views import StatisticsViews, statistics_views
from ankommen.shared.errors import DomainError, NotFound
from ankommen.shared.identity.auth import Principal, Role, requires
from ankommen.shared.messaging.topics import FACTS

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DISTRICT = re.compile(r"^\d{5}$")
COMMON_PARAMETERS = {"period", "by", "district", "lang"}


class InvalidParameter(DomainError):
    status = 422
    title = "Invalid request"


def parse_period(rules: PublicationRules, now: datetime, text: str | None) -> Period:
    """The requested period (default: the newest published month), if it is published."""
    try:
        if not text:
            newest = rules.publication.newest_month(now)
            if newest is None:
                raise InvalidPeriod("no period is published yet")
            return newest
        return rules.publication.check(Period.parse(text), now)
    except InvalidPeriod as error:
        raise InvalidParameter(str(error), field=error.field) from None


def parse_district(settings: MonitoringSettings, text: str | None) -> str | None:
    """The area: the county (no district) or one of its districts."""
    if not text:
        return None
    if not DISTRICT.match(text) or text not in settings.districts:
        raise InvalidParameter("district: not a district of the county; published: "
                               f"{', '.join(sorted(settings.districts))}", field="district")
    return text


def parse_query(runtime: MonitoringRuntime, settings: MonitoringSettings,
                rules: PublicationRules, measure_name: str, parameters: dict[str, str]
                ) -> Query:
    """A catalogue table's query from URL parameters; anything unknown, unpublished or
    malformed is refused by name."""
    measure = MEASURES.get(measure_name)
    if measure is None:
        raise NotFound(f"measure: no measure {measure_name!r}", field="measure")
    for name in ("from", "to"):
        if name in parameters:
            raise InvalidParameter(f"{name}: not supported, use period (a closed month "
                                   "YYYY-MM, quarter YYYY-Qn or year YYYY)", field=name)
    dimensions = {dimension.name for dimension in measure.dimensions}
    for name in parameters:
        if name not in COMMON_PARAMETERS | dimensions:
            raise InvalidParameter(f"{name}: not a published parameter of this measure",
                                   field=name)
    period = parse_period(rules, runtime.clock.now(), parameters.get("period"))
    district = parse_district(settings, parameters.get("district"))
    filters = {name: parameters[name] for name in sorted(dimensions) if name in parameters}
    by = parameters.get("by") or default_by(measure, period, filters)
    try:
        return Query(table_for(measure.name, by, filters), period, district,
                     tuple(sorted(settings.districts)))
    except InvalidQuery as error:
        raise InvalidParameter(str(error), field=error.field) from None


def default_by(measure: Measure, period: Period, filters: dict[str, str]) -> str:
    """Months for a quarter or year; for a month the measure's first other breakdown."""
    if period.kind is not PeriodKind.MONTH:
        return MONTH_BREAKDOWN
    others = [spec for spec in tables_of(measure) if spec.by != MONTH_BREAKDOWN]
    return next((spec.by for spec in others if dict(spec.filters) == filters),
                others[0].by if others else MONTH_BREAKDOWN)


def catalogue_json(runtime: MonitoringRuntime, settings: MonitoringSettings,
                   rules: PublicationRules) -> dict[str, Any]:
    """What is published: the tables, the periods (newest first), the districts, the rules."""
    now = runtime.clock.now()
    periods = published_periods(rules, now)
    policy = settings.disclosure
    return {
        "tables": [{"key": spec.key, "measure": spec.measure.name, "by": spec.by,
                    "filters": dict(spec.filters), "rows": list(spec.rows)
                    if spec.rows is not None else None,
                    "distribution": spec.measure.distribution} for spec in CATALOGUE],
        "periods": {kind.value + "s": [period.label for period in periods
                                       if period.kind is kind] for kind in PeriodKind},
        "districts": sorted(settings.districts),
        "published_through": published_through(rules, now),
        "disclosure": {"min_count": policy.min_count,
                       "max_deviation": policy.max_deviation,
                       "min_distribution": policy.min_distribution,
                       "min_population": rules.min_population,
                       "closed_month_grace_days": settings.closed_month_grace_days},
    }


def runtime_of(request: Request) -> MonitoringRuntime:
    """The app's runtime (``ServiceRuntime.create_app`` keeps it in ``app.state``)."""
    runtime: MonitoringRuntime = request.app.state.runtime
    return runtime


def rules_of(request: Request) -> PublicationRules:
    """The app's publication rules (:func:`install`)."""
    rules: PublicationRules = request.app.state.publication_rules
    return rules


def install(app: FastAPI, rules: PublicationRules) -> None:
    """The publication rules ``app`` answers by (``create_app``'s: tests may replace them)."""
    app.state.publication_rules = rules


Runtime = Annotated[MonitoringRuntime, Depends(runtime_of)]
Rules = Annotated[PublicationRules, Depends(rules_of)]
#: The caller, an admin (401 or 403 otherwise).
Admin = Annotated[Principal, requires(Role.ADMIN)]

statistics = APIRouter(prefix="/statistics", tags=["statistics"])


def views(runtime: MonitoringRuntime, rules: PublicationRules
          ) -> contextlib.AbstractAsyncContextManager[StatisticsViews]:
    """The request's reads as of now, on one unit of work."""
    return statistics_views(runtime.uow, runtime.settings.disclosure, rules,
                            runtime.clock.now())


def query_of(runtime: MonitoringRuntime, rules: PublicationRules, measure: str,
             request: Request) -> Query:
    return parse_query(runtime, runtime.settings, rules, measure, dict(request.query_params))


@statistics.get("", summary="What is published: tables, periods, districts, rules")
async def catalogue(runtime: Runtime, rules: Rules) -> dict[str, Any]:
    published = catalogue_json(runtime, runtime.settings, rules)
    async with views(runtime, rules) as view:
        notes = await view.corrections()
    return {**published, "corrections": corrections_json(notes)}


@statistics.get("/key-figures", summary="The key figures of a period and area")
async def figures(request: Request, runtime: Runtime, rules: Rules) -> dict[str, Any]:
    settings = runtime.settings
    parameters = dict(request.query_params)
    for name in parameters:
        if name not in {"period", "district", "lang"}:
            raise InvalidParameter(f"{name}: key figures take period and district only",
                                   field=name)
    now = runtime.clock.now()
    period = parse_period(rules, now, parameters.get("period"))
    district = parse_district(settings, parameters.get("district"))
    async with statistics_views(runtime.uow, settings.disclosure, rules, now) as view:
        figures = await view.key_figures(period, district, settings.goal_b1_share_percent,
                                         settings.goal_median_wait_weeks)
    return {"period": period.label, "district": district, **key_figures_json(figures)}


# Registered before the JSON route: "{measure}" would otherwise also match "x.csv".
@statistics.get("/{measure}.csv", summary="A protected table as CSV",
                response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def table_as_csv(measure: str, request: Request, runtime: Runtime, rules: Rules
                       ) -> Response:
    query = query_of(runtime, rules, measure, request)
    async with views(runtime, rules) as view:
        table = await view.table(query)
    return Response(table_csv(table), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition":
            f'attachment; filename="{query.table.key}-{query.period.label}.csv"'})


@statistics.get("/{measure}", summary="A protected table: rows of one breakdown and the total")
async def table(measure: str, request: Request, runtime: Runtime, rules: Rules
                ) -> dict[str, Any]:
    query = query_of(runtime, rules, measure, request)
    async with views(runtime, rules) as view:
        published = await view.table(query)
        notes = await view.corrections(query.first_month, query.last_month)
    return table_json(published, published_through(rules, runtime.clock.now()), notes)


operations = APIRouter(tags=["operations"])


@operations.get("/status", summary="Facts processed, data freshness and consumer lag "
                                   "(operators)",
                dependencies=[requires(Role.ADMIN)])
async def status(runtime: Runtime) -> dict[str, Any]:
    async with runtime.uow() as unit:
        intake = await fact_intake(unit)
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
        "freshness_seconds": (runtime.clock.now() - newest).total_seconds()
        if newest else None,
        "consumer_lag": lag,
    }


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
    """A held fact as the admin sees it: why, where, when, from whom — enough to decide, and
    nothing of the person it stands for. A held fact is a single person's record (a late one
    is genuine), so its coarse attributes (age band, gender, level …) stay out: they are no
    help in telling a forgery from a late fact, and the review list is not statistics."""
    envelope: Mapping[str, object] = json.loads(entry.body) if entry.body else {}
    return {"event_id": entry.event_id, "type": entry.fact_type, "reason": entry.reason,
            "month": entry.month, "district": entry.district,
            "received_at": entry.received_at.isoformat() if entry.received_at else None,
            "published_at": envelope.get("time"), "source": envelope.get("source")}


review = APIRouter(prefix="/review", tags=["review"])


@review.get("", summary="Facts held for review instead of counted, and the decisions (admins)",
            dependencies=[requires(Role.ADMIN)])
async def pending(runtime: Runtime, reason: Reason | None = None,
                  month: Annotated[str | None, QueryParameter(pattern=MONTH.pattern)] = None,
                  limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100
                  ) -> dict[str, Any]:
    async with runtime.uow() as unit:
        overview = await review_list(unit, reason, month, limit)
        notes = await corrections(unit)
    return {
        "pending": {"total": sum(overview.pending.values()),
                    "by_reason": overview.pending},
        "entries": [_entry_json(entry) for entry in overview.entries],
        "decisions": [{"event_id": record.event_id, "decision": record.decision.value,
                       "reason": record.reason, "month": record.month,
                       "decided_by": record.decided_by,
                       "decided_at": record.decided_at.isoformat()}
                      for record in overview.decisions],
        "corrections": corrections_json(notes),
    }


@review.post("/decisions", summary="Apply (count, as a correction of its month) or discard "
                                   "review entries (admins)")
async def decisions(request: DecisionRequest, actor: Admin, runtime: Runtime
                    ) -> dict[str, Any]:
    decided = await decide(
        runtime.uow, runtime.settings.bounds(),
        Decision.APPLIED if request.decision == "apply" else Decision.DISCARDED,
        f"{actor.role.value}:{actor.subject}", runtime.clock.now(),
        event_ids=request.event_ids, reason=request.reason, month=request.month)
    return {"decision": decided.decision.value, "event_ids": decided.event_ids,
            "corrections": corrections_json(decided.corrections)}


#: Monitoring's API, in the order the app includes it.
routers = (statistics, operations, review)
