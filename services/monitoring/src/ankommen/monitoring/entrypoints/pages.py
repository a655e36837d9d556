"""Monitoring's pages: the dashboard and the annual report.

Both are public, like the statistics API: they show only anonymised, protected figures (the
same numbers as the API and the CSV export, from the same code path), so no sign-in is
needed — councils and the public may see them. The dashboard refreshes itself from the JSON
API (``static/dashboard.js``), so a new fact shows within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.domain.measures import ARRIVALS, GERMAN_LEVEL, Measure
from ankommen.monitoring.domain.tables import DISTRICT, MONTH, PublishedTable, Query
from ankommen.monitoring.entrypoints.http import InvalidParameter, parse_query
from ankommen.monitoring.entrypoints.panels import SECTIONS, Panel
from ankommen.monitoring.entrypoints.texts import TEXTS
from ankommen.monitoring.service.review import corrections
from ankommen.monitoring.service.statistics import (
    coverage,
    goals_of_year,
    key_figures,
    published_table,
)
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.web import Pages
from ankommen.shared.web.i18n import Translator

VIEWS = (MONTH, DISTRICT, GERMAN_LEVEL.name)


def create_pages() -> Pages:
    return Pages("ankommen.monitoring", TEXTS, service_title="Monitoring",
                 navigation=[("/", "nav.dashboard"), ("/report", "nav.report")])


def _freshness(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else None


@dataclass(frozen=True)
class ShownPanel:
    panel: Panel
    table: PublishedTable
    labels: dict[str, str]

    @property
    def source(self) -> str:
        """The API query the panel shows (and polls); its CSV is the same with ``.csv``."""
        query = self.table.query
        parameters = {"from": query.first_month, "to": query.last_month,
                      "district": query.district, "by": query.by, **query.filters}
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


def pages_router(runtime: ServiceRuntime, settings: MonitoringSettings, pages: Pages
                 ) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    policy = settings.disclosure

    async def tables(query: Query) -> dict[str, PublishedTable]:
        return {by: await published_table(runtime.uow, replace(query, by=by), policy)
                for by in VIEWS}

    async def sections(request: Request, query: Query) -> list[ShownSection]:
        """The tables beside arrivals, over the same months and district."""
        t = pages.translator(request)
        return [ShownSection(section.key, [
            ShownPanel(panel, await published_table(runtime.uow, panel.query(query), policy),
                       value_labels(t, panel.by, panel.measure))
            for panel in section.panels]) for section in SECTIONS]

    def arrival_panels(views: dict[str, PublishedTable]) -> list[ShownPanel]:
        return [ShownPanel(Panel(by, ARRIVALS, by), views[by], {}) for by in VIEWS]

    @router.get("/", response_class=HTMLResponse)
    async def dashboard(request: Request) -> HTMLResponse:
        parameters = {name: value for name, value in request.query_params.items()
                      if value and name != "lang"}
        query = await parse_query(runtime, ARRIVALS.name, {**parameters, "by": MONTH})
        covered = await coverage(runtime.uow)
        selection = {"from": query.first_month, "to": query.last_month,
                     "district": query.district or "", **query.filters}
        return pages.render(request, "dashboard.html", {
            "arrivals": arrival_panels(await tables(query)),
            "sections": await sections(request, query),
            "figures": await key_figures(runtime.uow, query, policy,
                                         settings.goal_b1_share_percent),
            "goal_b1_share_percent": settings.goal_b1_share_percent,
            "selection": selection,
            "api_query": urlencode({k: v for k, v in selection.items() if v}),
            "districts": covered.districts,
            "levels": GERMAN_LEVEL.values,
            "freshness": _freshness(covered.data_as_of),
            "policy": policy,
            "corrections": await corrections(runtime.uow, query.first_month,
                                             query.last_month),
        })

    @router.get("/report", response_class=HTMLResponse)
    async def report(request: Request, year: int | None = None) -> HTMLResponse:
        year = year or datetime.now(UTC).year
        if not 2000 <= year <= 2100:
            raise InvalidParameter("year: must be between 2000 and 2100", field="year")
        query = Query(ARRIVALS, f"{year}-01", f"{year}-12", MONTH)
        covered = await coverage(runtime.uow)
        goals = await goals_of_year(runtime.uow, year, policy, settings.goal_median_wait_weeks,
                                    settings.goal_b1_share_percent)
        return pages.render(request, "report.html", {
            "year": year,
            "goals": goals,
            "views": await tables(query),
            "sections": await sections(request, query),
            "figures": await key_figures(runtime.uow, query, policy,
                                         settings.goal_b1_share_percent),
            "freshness": _freshness(covered.data_as_of),
            "policy": policy,
            "settings": settings,
            "corrections": await corrections(runtime.uow, f"{year}-01", f"{year}-12"),
        })

    return router
