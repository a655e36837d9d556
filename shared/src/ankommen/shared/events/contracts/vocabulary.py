"""Domain vocabulary that several contracts use, defined once."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints


class GermanLevel(StrEnum):
    """CEFR (*GER*) level of German; A0 means no German yet."""

    A0 = "A0"
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"


#: Official region key: 8-digit municipality key (AGS) or 5-digit district key.
RegionKey = Annotated[str, StringConstraints(pattern=r"^\d{5}(\d{3})?$")]
#: District key (*Kreisschlüssel*): the first five digits of a municipality key.
DistrictKey = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
#: Case pseudonym: random, issued by intake, meaningless outside ankommen.
Pseudonym = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
#: Random per-fact key for the Cell Key Method; never derived from a case.
RecordKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
#: A calendar month, e.g. 2026-11.
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
