"""The review list's decisions and the corrections they make.

A fact held for review (:mod:`bounds`) counts only when an admin applies it; applying it
changes its month's figures — for a closed month that is a *correction*, the only way a closed
month changes, and it is shown with the month (when, how many facts) wherever its figures are
published. Discarding it leaves every figure as it is. Each decision is recorded once, with who
made it and when, and never changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Decision(StrEnum):
    APPLIED = "applied"
    DISCARDED = "discarded"


@dataclass(frozen=True)
class Correction:
    """Facts an admin applied to one month on one day: what a correction note says."""

    month: str
    corrected_on: date
    facts: int


def corrections_of(applied: Iterable[tuple[str | None, datetime]]) -> list[Correction]:
    """Corrections from the applied decisions (month, decided at), per month and day, in
    order of month and day. Facts without a month (a fact type without cells) change no
    figure and make no correction."""
    counted: dict[tuple[str, date], int] = {}
    for month, decided_at in applied:
        if month is not None:
            key = (month, decided_at.date())
            counted[key] = counted.get(key, 0) + 1
    return [Correction(month, day, facts) for (month, day), facts in sorted(counted.items())]
