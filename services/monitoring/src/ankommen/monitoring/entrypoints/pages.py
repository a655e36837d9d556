"""Monitoring's pages: the dashboard and the annual report.

Both are public, like the statistics API: they show only anonymised, protected figures (the
same numbers as the API and the CSV export, from the same code path), so no sign-in is
needed — councils and the public may see them. The dashboard refreshes itself from the JSON
API (``static/dashboard.js``), so a new fact shows within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.domain.catalogue import MONTH
from ankommen.monitoring.domain.measures import Measure
from ankommen.monitoring.domain.periods import Period, PeriodKind
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.monitoring.domain.tables import PublishedTable, Query
from ankommen.monitoring.entrypoints.http import InvalidParameter, parse_district, parse_period
from ankommen.monitoring.entrypoints.panels import ARRIVAL_PANELS, SECTIONS, Panel
from ankommen.monitoring.entrypoints.texts import TEXTS
from ankommen.monitoring.service.review import corrections
from ankommen.monitoring.service.statistics import (
    goals_of_period,
    key_figures,
    published_periods,
    published_table,
    published_through,
)
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.web import Pages
from ankommen.shared.web.i18n import Translator


def create_pages() -> Pages:
    return Pages("ankommen.monitoring", TEXTS, service_title="Monitoring",
                 navigation=[("/", "nav.dashboard"), ("/report", "nav.report")])


@dataclass(frozen=True)
class ShownPanel:
    panel: Panel
    table: PublishedTable
    labels: dict[str, str]

    @property
    def source(self) -> str:
        """The API query the panel shows; its CSV is the same with ``.csv``."""
        query = self.table.query
        parameters = {"period": query.period.label, "district": query.district,
                      "by": query.by, **query.filters}
        return f"/statistics/{query.measure.name}?" + urlencode(
            {name: value for name, value in parameters.items() if value})


@dataclass(frozen=True)
class ShownSection:
    key: str
    panels: list[ShownPanel]


def value_labels(t: Translator, by: str, measure: Measure) -> dict[str, str]:
    """German or English names of a dimension's values, where the catalogue has them."""
    dimension = measure.dimension(by)
    if dimension is None:
        return {}
    return {value: t(f"value.{by}.{value}") for value in dimension.values
            if f"value.{by}.{value}" in TEXTS}


def pages_router(runtime: ServiceRuntime, settings: MonitoringSettings, pages: Pages,
                 rules: PublicationRules) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    policy = settings.disclosure
    county = tuple(sorted(settings.districts))

    async def shown(request: Request, panels: tuple[Panel, ...], period: Period,
                    district: str | None) -> list[ShownPanel]:
        t = pages.translator(request)
        return [ShownPanel(panel, await published_table(
                    runtime.uow, Query(panel, period, None if panel.by == "district"
                                       else district, county),
                    policy, rules, runtime.clock()), value_labels(t, panel.by, panel.measure))
                for panel in panels
                if not (panel.by == MONTH and period.kind is PeriodKind.MONTH)]

    async def sections(request: Request, period: Period, district: str | None
                       ) -> list[ShownSection]:
        return [ShownSection(section.key, await shown(request, section.panels, period,
                                                      district))
                for section in SECTIONS]

    @router.get("/", response_class=HTMLResponse)
    async def dashboard(request: Request) -> HTMLResponse:
        now = runtime.clock()
        period = parse_period(rules, now, request.query_params.get("period"))
        district = parse_district(settings, request.query_params.get("district"))
        selection = {"period": period.label, "district": district or ""}
        return pages.render(request, "dashboard.html", {
            "arrivals": await shown(request, ARRIVAL_PANELS, period, district),
            "sections": await sections(request, period, district),
            "figures": await key_figures(runtime.uow, period, district, policy, rules, now,
                                         settings.goal_b1_share_percent,
                                         settings.goal_median_wait_weeks),
            "goal_b1_share_percent": settings.goal_b1_share_percent,
            "selection": selection,
            "api_query": urlencode({k: v for k, v in selection.items() if v}),
            "districts": county,
            "periods": [p.label for p in published_periods(rules, now)],
            "freshness": published_through(rules, now),
            "policy": policy,
            "corrections": await corrections(runtime.uow, period.first_month,
                                             period.last_month),
        })

    @router.get("/report", response_class=HTMLResponse)
    async def report(request: Request, year: int | None = None) -> HTMLResponse:
        now = runtime.clock()
        if year is None:
            newest = next((p for p in published_periods(rules, now)
                           if p.kind is PeriodKind.YEAR), None)
            year = newest.year if newest else now.year - 1
        if not 2000 <= year <= 2100:
            raise InvalidParameter("year: must be between 2000 and 2100", field="year")
        period = Period(year, 0, PeriodKind.YEAR)
        views = {panel.by: table.table
                 for table, panel in zip(await shown(request, ARRIVAL_PANELS, period, None),
                                         ARRIVAL_PANELS, strict=True)}
        return pages.render(request, "report.html", {
            "year": year,
            "goals": await goals_of_period(runtime.uow, period, policy, rules, now,
                                           settings.goal_median_wait_weeks,
                                           settings.goal_b1_share_percent),
            "views": views,
            "sections": await sections(request, period, None),
            "figures": await key_figures(runtime.uow, period, None, policy, rules, now,
                                         settings.goal_b1_share_percent,
                                         settings.goal_median_wait_weeks),
            "freshness": published_through(rules, now),
            "policy": policy,
            "settings": settings,
            "corrections": await corrections(runtime.uow, f"{year}-01", f"{year}-12"),
        })

    return router
