"""Query parameters as a page's filter form sends them.

A ``<select>`` whose first choice is "alle" sends the parameter empty (``?district=``); that
means "no filter", not a malformed value. ``AllWhenEmpty`` turns the empty string into ``None``
before the parameter's own type checks it, so a filter form never answers 422 for "alle".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BeforeValidator

from ankommen.shared.events.contracts.vocabulary import DistrictKey, GermanLevel


def _none_when_empty(value: object) -> object:
    return None if value == "" else value


AllWhenEmpty = BeforeValidator(_none_when_empty)

#: A district or a level to filter by, or every one ("alle").
DistrictFilter = Annotated[DistrictKey | None, AllWhenEmpty, Query()]
LevelFilter = Annotated[GermanLevel | None, AllWhenEmpty, Query()]
