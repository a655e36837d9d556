"""The synthetic input of the crash-consistency proof: courses, arrivals and provider reports,
all derived from a case index so that two runs receive exactly the same input.

The scenario is built so that every outcome is independent of the order in which the services
happen to see events (they run concurrently and are killed at random moments):

* one provider and one in-person course per district with room for everyone of that
  district; every person lives in one district, cannot attend online, needs no childcare and
  fits that course — so each person has exactly one fitting course and there is always a seat;
* a seed case is placed before the stream starts, so the provider's share of placements (the
  rotation part of every later explanation) is already 100 % for everyone who follows;
* identities are unique by construction (name from the index, birth date = index days after
  1960-01-01, file number from the index), so duplicate detection never links two people;
* provider reports are only sent for placements progress already knows (a report for an
  unknown referral code would be refused, which depends on timing), with report ids from the
  case index, keyed by referral code so that each person's reports stay in order.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date, timedelta
from typing import Any

from tests.support.surveys import EXAMPLE

PROVIDER = "vhs-reliability"
DISTRICTS = [f"03{300 + number:03d}" for number in range(25)]
COURSE_CAPACITY = 500
#: A consonant for each class of the Kölner Phonetik (1 = b/p, 2 = d/t, … 8 = s/z).
_CONSONANTS = {1: "b", 2: "d", 3: "f", 4: "k", 5: "l", 6: "m", 7: "r", 8: "s"}


def course_starts(today: date) -> date:
    return today - timedelta(days=30)


def course_id(district: str) -> str:
    return f"course-{district}"


def course_body(district: str, today: date) -> dict[str, Any]:
    starts = course_starts(today)
    return {"course_id": course_id(district), "provider_id": PROVIDER,
            "title": f"Integrationskurs {district}", "course_type": "general_integration",
            "entry_level": "A1", "target_level": "B1", "region_key": district + "001",
            "mode": "in_person", "schedule": ["mornings"], "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(days=200)).isoformat(), "hours": 700,
            "capacity": COURSE_CAPACITY, "minimum_participants": 0, "childcare_places": 0,
            "status": "open"}


def district_of(index: int) -> str:
    return DISTRICTS[index % len(DISTRICTS)]


def _name(number: int, length: int) -> str:
    """A name whose Kölner Phonetik code is unique for ``number``: one consonant class per
    base-7 digit, never the class of the one before (equal neighbours would merge)."""
    letters, previous = [], 0
    for _ in range(length):
        number, digit = divmod(number, 7)
        classes = [code for code in range(1, 9) if code != previous]
        previous = classes[digit]
        letters.append(_CONSONANTS[previous] + "a")
    return "A" + "".join(letters)


def registration(index: int, registered_on: date) -> dict[str, Any]:
    """The registration request of synthetic person ``index`` (unique identity)."""
    body = copy.deepcopy(EXAMPLE)
    body["identity"].update(
        family_name=_name(index, 6), given_names=_name(index + 7**6, 7),
        birth_date=(date(1960, 1, 1) + timedelta(days=index)).isoformat(),
        email=f"person{index}@example.org",
        file_numbers=[{"kind": "federal_office", "number": f"{index:07d}-{index % 997:03d}"}])
    body["survey"].update(
        region_key=district_of(index) + "001", german_level="A1", children_needing_care=0,
        childcare_age_bands=[], can_attend_online=False, availability=["mornings"],
        gender=("female", "male", "diverse")[index % 3])
    body["registered_on"] = registered_on.isoformat()
    return body


def reports(index: int, referral_code: str, today: date) -> list[dict[str, Any]]:
    """Enrolment and one month of attendance for person ``index``."""
    starts = course_starts(today)
    return [
        {"kind": "enrolment", "report_id": f"enrol-{index}", "referral_code": referral_code,
         "started_on": (starts + timedelta(days=1)).isoformat()},
        {"kind": "attendance", "report_id": f"attend-{index}", "referral_code": referral_code,
         "period_start": (starts + timedelta(days=1)).isoformat(),
         "period_end": (starts + timedelta(days=28)).isoformat(),
         "hours_attended": float(60 + index % 20), "hours_planned": 80.0},
    ]


def provider_message(report: dict[str, Any]) -> bytes:
    """A report as a provider's own system puts it on the provider topic."""
    import json

    return json.dumps({"specversion": "1.0", "id": str(uuid.uuid4()),
                       "type": "ankommen.provider.report_submitted.v1",
                       "source": f"/providers/{PROVIDER}", "time": "2026-01-01T00:00:00Z",
                       "datacontenttype": "application/json",
                       "data": {"report": report}}).encode()
