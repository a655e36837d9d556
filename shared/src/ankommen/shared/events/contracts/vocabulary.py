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

#: ISO 639-3 language code, e.g. ara, fas, tir, ukr, deu.
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{3}$")]
#: Course provider id (from the provider's token), e.g. vhs-heidekreis.
ProviderId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,39}$")]
#: Referral code (*Vermittlungscode*): the only id a provider ever sees for a placement.
ReferralCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{6,20}$")]
#: Ids of courses, placements and reports: opaque strings, never derived from a person.
OpaqueId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class TimeSlot(StrEnum):
    """When someone can attend, or when a course takes place."""

    MORNINGS = "mornings"
    AFTERNOONS = "afternoons"
    EVENINGS = "evenings"
    WEEKENDS = "weekends"


class CourseType(StrEnum):
    """Course types (brief section 3)."""

    GENERAL_INTEGRATION = "general_integration"  # allgemeiner Integrationskurs
    LITERACY = "literacy"  # Alphabetisierungskurs
    SECOND_SCRIPT = "second_script"  # Zweitschriftlernerkurs
    YOUTH = "youth"  # Jugendintegrationskurs, under 27
    PARENTS = "parents"  # Elternintegrationskurs
    WOMEN = "women"  # Frauenintegrationskurs
    INTENSIVE = "intensive"  # Intensivkurs, fast learners
    JOB_RELATED_B2 = "job_related_b2"  # Berufssprachkurs B1→B2
    JOB_RELATED_C1 = "job_related_c1"  # Berufssprachkurs B2→C1
    JOB_RELATED_PROFESSION = "job_related_profession"  # e.g. nursing module
    FIRST_ORIENTATION = "first_orientation"  # Erstorientierung
    LOCAL = "local"  # local / volunteer course
