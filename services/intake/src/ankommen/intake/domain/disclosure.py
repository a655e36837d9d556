"""What intake may tell a course provider about a participant (brief §4 and §6).

Identity leaves intake only by an explicit, consented disclosure to the provider of a
*confirmed* placement, and only what the person agreed to:

- nothing at all without :attr:`Consent.SHARE_CONTACT_WITH_PROVIDER`;
- with it, the family and given names (the provider must know whom it teaches);
- the phone number only with :attr:`Consent.CONTACT_BY_PHONE`, the e-mail address only with
  :attr:`Consent.CONTACT_BY_EMAIL`;
- never the birth date, birth place, nationalities, postal address or file numbers: a course
  provider needs none of them to reach its participant.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ankommen.intake.domain.identity import Identity
from ankommen.shared.events.contracts.intake import Consent


class PlacementStatus(StrEnum):
    """A placement as intake tracks it; only ``confirmed`` allows a disclosure."""

    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"

    @property
    def ends_placement(self) -> bool:
        """Declined and withdrawn placements never come back; a completion or
        discontinuation can be retracted by the provider."""
        return self in (PlacementStatus.DECLINED, PlacementStatus.WITHDRAWN)


@dataclass(frozen=True)
class ContactDetails:
    family_name: str
    given_names: str
    phone: str | None = None
    email: str | None = None

    @property
    def fields(self) -> list[str]:
        """The names of the disclosed fields (for the audit log; never their values)."""
        return ["names"] + [name for name in ("phone", "email") if getattr(self, name)]


#: The kind of recipient a disclosure went to (the only kind there is so far).
COURSE_PROVIDER = "course_provider"


@dataclass(frozen=True)
class Disclosure:
    """One disclosure of a person's data, as their data-subject export lists it: the GDPR
    (Art. 15(1)(c)) gives them the right to know the recipients of their data. When, to whom
    and which fields — the values are the person's own and in the export already."""

    at: datetime
    recipient: str
    fields: tuple[str, ...]
    purpose: str | None
    recipient_kind: str = COURSE_PROVIDER


def may_disclose(consents: Collection[Consent]) -> bool:
    return Consent.SHARE_CONTACT_WITH_PROVIDER in consents


def contact_details(identity: Identity, consents: Collection[Consent]) -> ContactDetails | None:
    """What the person agreed to share with the provider of their course, or None."""
    if not may_disclose(consents):
        return None
    return ContactDetails(
        family_name=identity.family_name, given_names=identity.given_names,
        phone=identity.phone if Consent.CONTACT_BY_PHONE in consents else None,
        email=identity.email if Consent.CONTACT_BY_EMAIL in consents else None)
