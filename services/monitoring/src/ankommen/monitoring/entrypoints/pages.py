"""Monitoring's pages: the dashboard and the annual report.

Both are public, like the statistics API: they show only the catalogue's tables
(:mod:`panels`) over a published period and area, through the same code path as the API and
the CSV export, so every number is the protected one those give. No sign-in is needed —
councils and the public may see them.

Only closed periods are published, and their figures never change afterwards; the dashboard
therefore renders every table on the server and draws its charts from them
(``static/dashboard.js``) — no polling, nothing fetched. The pickers offer exactly the
published periods and the county's areas, so a clerk never types a key; the default (the
newest published month, the county) is shown as selected.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from ankommen.monitoring.config import MonitoringRuntime, MonitoringSettings
from ankommen.monitoring.domain.bounds import month_of
from ankommen.monitoring.domain.catalogue import DISTRICT, MONTH, TableSpec
from ankommen.monitoring.domain.disclosure import DisclosurePolicy
from ankommen.monitoring.domain.periods import InvalidPeriod, Period, PeriodKind
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.monitoring.domain.tables import PublishedTable, Query
from ankommen.monitoring.entrypoints.panels import SECTIONS, offered
from ankommen.monitoring.entrypoints.texts import TEXTS
from ankommen.monitoring.service.statistics import goals_of
from ankommen.monitoring.service.views import StatisticsViews, statistics_views
from ankommen.shared.web import Pages
from ankommen.shared.web.i18n import Translator
from ankommen.shared.web.words import Places, Words

#: Dimensions whose values are the event contracts' codes: their words are the shared
#: vocabulary's (``option.<enum>.<value>``, the same on every service's pages), not copies here.
SHARED_WORDS = {"course_type": "course_type", "course_type_wanted": "course_type",
                "from_course_type": "course_type", "to_course_type": "course_type",
                "reason": "waitlist_reason", "discontinuation_reason": "discontinuation_reason"}


def value_key(by: str, value: str) -> str:
    """The text key naming ``value`` of dimension ``by``: monitoring's own (``value.…``: bands,
    "none") or, for the contracts' codes, the shared vocabulary's."""
    own = f"value.{by}.{value}"
    if own in TEXTS or by not in SHARED_WORDS:
        return own
    return f"option.{SHARED_WORDS[by]}.{value}"


def create_pages(places: Places | None = None) -> Pages:
    return Pages("ankommen.monitoring", service_title="Monitoring",
                 navigation=[("/", "nav.dashboard"), ("/report", "nav.report")], places=places)


class Names:
    """Words for periods, days, districts and dimension values in the reader's language."""

    def __init__(self, t: Translator, places: Places | None = None) -> None:
        self.t = t
        self.words = Words(t, places)

    def period(self, period: Period) -> str:
        if period.kind is PeriodKind.MONTH:
            return self.t("period.month", month=self.t(f"month.{period.number}"),
                          year=period.year)
        if period.kind is PeriodKind.QUARTER:
            return self.t("period.quarter", quarter=period.number, year=period.year)
        return self.t("period.year", year=period.year)

    def day(self, moment: datetime) -> str:
        return self.t("date.long", day=moment.day, month=self.t(f"month.{moment.month}"),
                      year=moment.year)

    def district(self, key: str) -> str:
        """By the name in the county's municipality directory ("Landkreis Heidekreis")."""
        return self.words.district(key)

    def area(self, district: str | None) -> str:
        return self.district(district) if district else self.t("filter.county")

    def labels(self, table: PublishedTable) -> dict[str, str]:
        """Row labels as words: months by name, districts by name, dimension values
        from the texts (a value without a text keeps its label)."""
        by = table.query.table.by
        if by == MONTH:
            return {row.label: self.period(Period.parse(row.label)) for row in table.rows}
        if by == DISTRICT:
            return {row.label: self.district(row.label) for row in table.rows}
        return {row.label: self.t(value_key(by, row.label)) for row in table.rows
                if self.t.has(value_key(by, row.label))}


@dataclass(frozen=True)
class ShownPanel:
    spec: TableSpec
    table: PublishedTable
    labels: dict[str, str]

    @property
    def answered(self) -> bool:
        return self.table.answered

    @property
    def csv(self) -> str:
        """The same table from the API, as CSV."""
        query = self.table.query
        parameters = {"period": query.period.label, "district": query.district or "",
                      "by": self.spec.by, **self.spec.filters}
        return f"/statistics/{self.spec.measure.name}.csv?" + urlencode(
            {name: value for name, value in parameters.items() if value})


@dataclass(frozen=True)
class ShownSection:
    key: str
    panels: list[ShownPanel]


@dataclass(frozen=True)
class PublicationNote:
    """What is published: the newest month with figures (``None`` before any period with
    facts has closed) and which month appears next, on which day."""

    latest: Period | None
    next: Period
    next_on: datetime


@dataclass(frozen=True)
class Selection:
    period: Period
    district: str | None


def next_month(period: Period) -> Period:
    year, number = (period.year + 1, 1) if period.number == 12 else (period.year,
                                                                     period.number + 1)
    return Period(year, number, PeriodKind.MONTH)


@dataclass(frozen=True)
class Site:
    """What the pages need besides the request: the runtime (clock, units of work), the page
    frame and the publication rules (``create_app``'s, which tests may replace). One per app,
    kept in ``app.state`` (:func:`install`) and handed to the routes as a dependency."""

    runtime: MonitoringRuntime
    pages: Pages
    rules: PublicationRules

    @property
    def settings(self) -> MonitoringSettings:
        return self.runtime.settings

    @property
    def policy(self) -> DisclosurePolicy:
        return self.settings.disclosure

    @property
    def county(self) -> tuple[str, ...]:
        return tuple(sorted(self.settings.districts))

    def views(self) -> contextlib.AbstractAsyncContextManager[StatisticsViews]:
        """The request's reads as of now, on one unit of work."""
        return statistics_views(self.runtime.uow, self.policy, self.rules,
                                self.runtime.clock.now())

    def names(self, request: Request) -> Names:
        return Names(self.pages.translator(request), self.pages.places)

    def common(self, names: Names) -> dict[str, Any]:
        return {"period_name": names.period, "day_name": names.day, "policy": self.policy,
                "min_population": self.rules.min_population}

    async def note(self, view: StatisticsViews) -> PublicationNote:
        """The newest published month — if any published month has facts at all (else the
        dashboard says plainly that nothing has closed yet, rather than showing empty
        tables) — and the month that appears next: the one after it, or (nothing published
        yet) the open month."""
        months = [period for period in self.rules.publication.periods(view.now)
                  if period.kind is PeriodKind.MONTH]
        latest = months[0] if months and await view.has_facts(
            [period.label for period in months]) else None
        upcoming = next_month(latest) if latest else Period.parse(month_of(view.now))
        return PublicationNote(latest, upcoming, upcoming.closes_at(self.rules.grace))

    async def sections(self, names: Names, selection: Selection, view: StatisticsViews
                       ) -> list[ShownSection]:
        shown: list[ShownSection] = []
        for section in SECTIONS:
            panels: list[ShownPanel] = []
            for spec in section.tables:
                if not offered(spec, selection.period, selection.district):
                    continue
                table = await view.table(
                    Query(spec, selection.period, selection.district, self.county))
                panels.append(ShownPanel(spec, table, names.labels(table)))
            shown.append(ShownSection(section.key, panels))
        return shown

    def period_refusal(self, names: Names, text: str, moment: datetime) -> str | None:
        """Why the dashboard does not show ``text`` as a period: not yet closed (and when it
        will be), or not among the published periods."""
        try:
            period = Period.parse(text)
        except InvalidPeriod:
            return names.t("dashboard.error.period")
        if self.rules.publication.is_published(period, moment):
            return None
        closes_at = period.closes_at(self.rules.grace)
        if moment < closes_at:
            return names.t("dashboard.error.open", period=names.period(period),
                           day=names.day(closes_at))
        return names.t("dashboard.error.period")

    def year_refusal(self, names: Names, year: str, moment: datetime) -> str | None:
        """Why the report of ``year`` is not published (German on German pages), naming
        the field ("Jahr") and, for an open year, the day it appears."""
        if not (len(year) == 4 and year.isdigit()):
            return names.t("report.error.invalid", example=moment.year - 1)
        period = Period.parse(year)
        if self.rules.publication.is_published(period, moment):
            return None
        closes_at = period.closes_at(self.rules.grace)
        if moment < closes_at:
            return names.t("report.error.open", year=year, day=names.day(closes_at))
        return names.t("report.error.old", year=year)


def install(app: FastAPI, site: Site) -> None:
    """Make ``site`` the pages' for ``app`` (read by :func:`site_of`)."""
    app.state.monitoring_site = site


def site_of(request: Request) -> Site:
    site: Site = request.app.state.monitoring_site
    return site


CurrentSite = Annotated[Site, Depends(site_of)]

router = APIRouter(include_in_schema=False)


def choices(periods: list[Period]) -> list[tuple[str, list[Period]]]:
    return [(kind.value, [period for period in periods if period.kind is kind])
            for kind in PeriodKind if any(period.kind is kind for period in periods)]


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, site: CurrentSite, period: str | None = None,
                    district: str | None = None) -> HTMLResponse:
    async with site.views() as view:
        return await dashboard_page(request, site, view, period, district)


async def dashboard_page(request: Request, site: Site, view: StatisticsViews,
                         period: str | None, district: str | None) -> HTMLResponse:
    pages, settings, county = site.pages, site.settings, site.county
    names = site.names(request)
    moment = view.now
    published = site.rules.publication.periods(moment)
    shown_note = await site.note(view)
    context: dict[str, Any] = {**site.common(names), "publication": shown_note,
                               "selection": None, "districts": county,
                               "goal_b1_share_percent": settings.goal_b1_share_percent}
    if shown_note.latest is None:
        return pages.render(request, "dashboard.html", context)
    chosen = Selection(shown_note.latest, None)
    context["period_choices"] = choices(published)
    refusal = None
    if period:
        refusal = site.period_refusal(names, period, moment)
        if refusal is None:
            chosen = Selection(Period.parse(period), None)
    if district and refusal is None:
        if district in county:
            chosen = Selection(chosen.period, district)
        else:
            refusal = names.t("dashboard.error.district")
    if refusal:
        return pages.render(request, "dashboard.html", {
            **context, "refusal": refusal, "selection": chosen}, status_code=422)
    return pages.render(request, "dashboard.html", {
        **context,
        "selection": chosen,
        "area_name": names.area(chosen.district),
        "sections": await site.sections(names, chosen, view),
        "figures": await view.key_figures(chosen.period, chosen.district,
                                          settings.goal_b1_share_percent,
                                          settings.goal_median_wait_weeks),
        "corrections": await view.corrections(chosen.period.first_month,
                                              chosen.period.last_month),
    })


@router.get("/report", response_class=HTMLResponse)
async def report(request: Request, site: CurrentSite, year: str | None = None
                 ) -> HTMLResponse:
    """The annual report of a closed year (default: the newest), for the county."""
    async with site.views() as view:
        return await report_page(request, site, view, year)


async def report_page(request: Request, site: Site, view: StatisticsViews, year: str | None
                      ) -> HTMLResponse:
    pages, settings = site.pages, site.settings
    names = site.names(request)
    moment = view.now
    years = [period for period in site.rules.publication.periods(moment)
             if period.kind is PeriodKind.YEAR]
    context: dict[str, Any] = {**site.common(names), "publication": await site.note(view),
                               "years": [period.year for period in years],
                               "year": None, "settings": settings}
    if year is None:
        if not years:
            first = Period(moment.year, 0, PeriodKind.YEAR)
            return pages.render(request, "report.html", {
                **context, "first_year": first.year,
                "first_year_on": first.closes_at(site.rules.grace)})
        chosen = years[0]
    else:
        refused = site.year_refusal(names, year, moment)
        if refused:
            return pages.render(request, "report.html", {**context, "refusal": refused},
                                status_code=422)
        chosen = Period.parse(year)
    figures = await view.key_figures(chosen, None, settings.goal_b1_share_percent,
                                     settings.goal_median_wait_weeks)
    return pages.render(request, "report.html", {
        **context,
        "year": chosen.year,
        "area_name": names.area(None),
        "goals": goals_of(figures),
        "sections": await site.sections(names, Selection(chosen, None), view),
        "figures": figures,
        "corrections": await view.corrections(chosen.first_month, chosen.last_month),
    })
