"""A case progress knows of, by pseudonym. Providers themselves never see the pseudonym."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class KnownCase:
    pseudonym: str
    registered_on: date
    #: German level at intake (later: as providers report it), for monitoring's level gained.
    german_level: str | None = None
