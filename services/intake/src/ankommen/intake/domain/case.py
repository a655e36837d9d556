"""A case (*Fall*): one person's pathway, known outside intake only by its pseudonym.

The pseudonym is random — never derived from identity — so it cannot be recomputed from a name
or a birth date; only intake's own table maps it back to a case.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date

from ankommen.shared.events.contracts.intake import Survey


def new_pseudonym() -> str:
    """32 URL-safe characters from the OS's cryptographic random source (192 bits)."""
    return secrets.token_urlsafe(24)


def district_of(region_key: str) -> str:
    """The 5-digit district key (*Kreisschlüssel*) of a municipality or district key."""
    return region_key[:5]


@dataclass
class Case:
    survey: Survey
    registered_on: date
    case_id: uuid.UUID = field(default_factory=uuid.uuid4)
    pseudonym: str = field(default_factory=new_pseudonym)
