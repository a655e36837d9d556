"""What intake may tell a course provider about a participant (brief §4 and §6).

Identity leaves intake only by an explicit, consented disclosure to the provider of a
*confirmed* placement the county made (:func:`placement_disclosable`): the placement's course
was approved by a coordinator, lies in the county's districts, belongs to the provider asking
and is running — so neither a provider's own unapproved course nor a placement whose course
has ended opens anybody's contact details. Then only what the person agreed to:

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
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

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


#: Course statuses after which nobody is taught any more.
COURSE_OVER = frozenset({"completed", "cancelled"})


@dataclass(frozen=True)
class CourseFacts:
    """What intake knows of a course, from assignment's catalogue events: enough to tell
    whether a placement in it is one the county made and whether the course still runs."""

    course_id: str
    provider_id: str
    region_key: str
    starts_on: date
    ends_on: date
    #: ``CourseStatus`` value (planned, open, running, completed, cancelled).
    status: str
    #: Approved by a coordinator (an event without approval counts as a draft).
    approved: bool

    @property
    def district(self) -> str:
        return self.region_key[:5]


@dataclass(frozen=True)
class ConfirmedPlacement:
    referral_code: str
    pseudonym: str
    provider_id: str
    course_id: str


@dataclass(frozen=True)
class DisclosurePolicy:
    """Where and when this county discloses: its districts, and how long before a course
    starts its provider may reach the participants."""

    districts: frozenset[str]
    lead: timedelta


def placement_disclosable(placement: ConfirmedPlacement, course: CourseFacts | None, *,
                          provider_id: str, districts: Collection[str], today: date,
                          lead: timedelta) -> bool:
    """Whether the provider ``provider_id`` may see who holds this confirmed placement today.

    Only a placement the county made: its course is known, approved by a coordinator and in
    the county's ``districts``, and both the placement and the course are this provider's.
    Only while the course runs: from ``lead`` before its first day (so the provider can invite
    its participants to the first lesson) to its last day, and never once it is completed or
    cancelled. ``today`` is a parameter so that a clock can be injected."""
    if course is None or placement.course_id != course.course_id:
        return False
    if not (placement.provider_id == course.provider_id == provider_id):
        return False
    if not course.approved or course.district not in districts:
        return False
    if course.status in COURSE_OVER:
        return False
    return course.starts_on - lead <= today <= course.ends_on


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
RecipientKind = Literal["course_provider"]
COURSE_PROVIDER: RecipientKind = "course_provider"


@dataclass(frozen=True)
class Disclosure:
    """One disclosure of a person's data, as their data-subject export lists it: the GDPR
    (Art. 15(1)(c)) gives them the right to know the recipients of their data. When, to whom
    and which fields — the values are the person's own and in the export already."""

    at: datetime
    recipient: str
    fields: tuple[str, ...]
    purpose: str | None
    recipient_kind: RecipientKind = COURSE_PROVIDER


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
