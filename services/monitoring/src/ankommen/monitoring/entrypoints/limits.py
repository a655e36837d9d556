"""Limits on monitoring's public surface (issue 15, item 4): how fast and how widely one client
may read the statistics.

The published figures are protected by their own rules (designed tables, population
thresholds, closed periods); these limits only make enumerating them slow and visible. Every
request to ``/statistics``, ``/statistics/…``, ``/`` and ``/report`` counts against

- a **rate limit** (``public_rate_limit``, default 120 a minute, a moving window), and
- a cap on **distinct tables a day** (``tables_per_client_per_day``, default 1000): a table is
  the path (``.csv`` and JSON of one table are the same table) with its query parameters in
  any order, ``lang`` left out — i.e. measure, breakdown, period, area and fixed filters. A
  table already read in the last 24 hours is answered again without counting, so a client at
  the cap still sees what it has seen; a new one is refused until the oldest leaves the window.

Over either, the answer is 429 with ``Retry-After`` (problem details for the API, a German page
for ``/`` and ``/report``). Both are per client address as the shared
:class:`~ankommen.shared.web.hardening.RateLimit` sees it — the connection's peer, or what a
configured proxy puts in ``X-Forwarded-For`` — never an address the client writes itself.
Operators' ``/status`` and admins' ``/review`` are not limited here.

Both live in this process's memory (the ``limits`` library's storage, which expires them
itself): one monitoring instance serves the public; several would each count on their own.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request, status
from fastapi.responses import Response
from limits import RateLimitItem, RateLimitItemPerDay, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from starlette.exceptions import HTTPException

from ankommen.monitoring.config import MonitoringSettings
from ankommen.shared.errors import problem
from ankommen.shared.web import Pages
from ankommen.shared.web.hardening import RATE_LIMITED

#: The public paths: the statistics API and the two pages.
PUBLIC = re.compile(r"/(statistics(/.*)?|report)?")
PAGES = re.compile(r"/(report)?")
#: Query parameters that do not change a table (only its language).
NOT_PART_OF_A_TABLE = frozenset({"lang"})
#: How long a table counts as read: one a day, remembered from its first reading.
ONCE_A_DAY = RateLimitItemPerDay(1)



class PublicLimitExceeded(HTTPException):
    """A 429 from these limits; ``kind`` ("rate" or "tables") says which, for the page."""

    def __init__(self, kind: str, limit: RateLimitItem, retry_after: int) -> None:
        self.kind, self.limit, self.retry_after = kind, limit.amount, retry_after
        detail = (f"rate limit: at most {limit} requests to the public statistics per client; "
                  f"try again in {retry_after} s" if kind == "rate" else
                  f"table limit: at most {limit.amount} distinct tables per client a day "
                  f"(tables already read are still answered); new ones again in "
                  f"{retry_after} s")
        super().__init__(status.HTTP_429_TOO_MANY_REQUESTS, detail,
                         headers={"Retry-After": str(retry_after)})


def table_of(request: Request) -> str:
    """What a request reads, the same however it is asked: the path without ``.csv``, and the
    query parameters sorted, without the language."""
    path = request.url.path.removesuffix(".csv")
    query = sorted((key, value) for key, value in request.query_params.multi_items()
                   if key not in NOT_PART_OF_A_TABLE)
    return f"{path}?{urlencode(query)}"


def route_of(request: Request) -> str:
    """The path of the route that answers (``/statistics/{measure}``), whatever prefix a proxy
    serves the app under (``root_path``)."""
    return getattr(request.scope.get("route"), "path", request.url.path)


def _retry_after(reset_time: float) -> int:
    return max(1, int(reset_time - time.time()) + 1)


class PublicLimits:
    """The rate limit and the distinct-table cap, as a FastAPI dependency on every route that
    :meth:`guard` wraps (it passes non-public paths through)."""

    def __init__(self, settings: MonitoringSettings, pages: Pages | None = None) -> None:
        self.rate: RateLimitItem = parse(settings.public_rate_limit)
        self.tables: RateLimitItem = RateLimitItemPerDay(settings.tables_per_client_per_day)
        self._pages = pages
        storage = MemoryStorage()
        self._requests = MovingWindowRateLimiter(storage)
        self._read = FixedWindowRateLimiter(storage)

    async def __call__(self, request: Request) -> None:
        if not PUBLIC.fullmatch(route_of(request)):
            return
        client = request.client.host if request.client else "unknown"
        if not self._requests.hit(self.rate, "monitoring-public", client):
            reset = self._requests.get_window_stats(self.rate, "monitoring-public", client)
            raise PublicLimitExceeded("rate", self.rate, _retry_after(reset.reset_time))
        # A digest keeps the memory per table small, whatever a client puts in the query.
        table = hashlib.blake2b(table_of(request).encode(), digest_size=16).hexdigest()
        if not self._read.test(ONCE_A_DAY, "monitoring-read", client, table):
            return  # read within the last day: counted then
        if not self._requests.hit(self.tables, "monitoring-tables", client):
            reset = self._requests.get_window_stats(self.tables, "monitoring-tables", client)
            raise PublicLimitExceeded("tables", self.tables, _retry_after(reset.reset_time))
        self._read.hit(ONCE_A_DAY, "monitoring-read", client, table)

    def guard(self, routers: Sequence[APIRouter]) -> list[APIRouter]:
        """``routers`` with this dependency on every route (their own routes unchanged); a
        router of public routes only documents the 429 in the API schema."""
        guarded: list[APIRouter] = []
        for router in routers:
            public = all(PUBLIC.fullmatch(getattr(route, "path", "")) for route in router.routes)
            outer = APIRouter()
            outer.include_router(router, dependencies=[Depends(self)],
                                 responses=RATE_LIMITED if public else None)
            guarded.append(outer)
        return guarded

    def install(self, app: FastAPI) -> None:
        """Answer the pages' 429 as a page; the API's stays problem details."""

        @app.exception_handler(PublicLimitExceeded)
        async def limited(request: Request, error: PublicLimitExceeded) -> Response:
            headers = {"Retry-After": str(error.retry_after)}
            if self._pages is None or not PAGES.fullmatch(route_of(request)):
                return problem(error.status_code, "Too many requests", error.detail,
                               headers=headers)
            t = self._pages.translator(request)
            response = self._pages.render(request, "limited.html", {
                "title": t("limited.title"), "message": t(
                    f"limited.{error.kind}", limit=error.limit, seconds=error.retry_after)},
                status_code=error.status_code)
            response.headers.update(headers)
            return response
