"""The county's calendar day (Europe/Berlin), the day the services count in.

Tests build dates relative to "today" (a course starting in 14 days, a report dated
yesterday). ``date.today()`` is the machine's day — UTC on CI — and between 23:00 and 24:00 UTC
(midnight to one o'clock in Germany in winter) it is a day behind the services' day, so a test
expecting "14 days to the course start" saw 13 (seen on a fresh clone at 23:05 UTC)."""

from __future__ import annotations

from datetime import date

from ankommen.shared.clock import SystemClock


def county_today() -> date:
    return SystemClock().today()
