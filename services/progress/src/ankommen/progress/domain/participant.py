"""A case progress knows of, by pseudonym, so that later provider reports can be checked
against it. Providers themselves never see the pseudonym."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class KnownCase:
    pseudonym: str
    registered_on: date
