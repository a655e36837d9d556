"""A clock that tests move by hand: monitoring's "now" (which months are closed, which periods
are published) without waiting for a month to pass."""

from __future__ import annotations

from datetime import datetime


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def set(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
