"""Which courses are the county's offer: approved by a coordinator (*Freigabe*) and in the
county's own districts.

A provider may enter its courses itself, but allocation places people — and intake later
discloses their names — only in courses the county approved. Without this rule a provider
could publish a 500-seat course anywhere, have waiting people placed there and harvest their
names; nothing asked a coordinator. The rules here are pure: who creates a course decides its
first state, and which changes of an approved course need a coordinator again.
"""

from __future__ import annotations

from collections.abc import Collection

from ankommen.assignment.domain.courses import district_of
from ankommen.shared.events.contracts.assignment import Course, CourseApproval

#: What a provider may change in an approved course without asking again: the course's
#: progress through its life, and changes that only narrow it (checked in
#: :func:`needs_new_approval`). Everything else — dates, region, location, type, levels,
#: schedule, mode, title, more seats, and what the invitation letter prints (venue, times,
#: contact, what to bring) — is a new offer and goes back to a coordinator.
NARROWING = ("capacity", "childcare_places")
FREE_TO_CHANGE = frozenset({"status", "minimum_participants", "transport_offered", "approval",
                            *NARROWING})


def in_county(course: Course, districts: Collection[str]) -> bool:
    """Whether the course lies in one of the county's districts (*Kreisschlüssel*)."""
    return district_of(course.region_key) in districts


def approval_on_creation(*, by_approver: bool) -> CourseApproval:
    """A coordinator's own course is approved as it is created (the coordinator is the one who
    would approve it); everybody else's — a provider's, and the operator's — is a draft."""
    return CourseApproval.APPROVED if by_approver else CourseApproval.DRAFT


def needs_new_approval(before: Course, after: Course) -> bool:
    """Whether a provider's change of an approved course makes it a draft again: any change
    but the course's status and narrowing changes. More seats are a new offer (the harvest
    needs seats); fewer are not."""
    old, new = before.model_dump(), after.model_dump()
    if any(old[name] != new[name] for name in old if name not in FREE_TO_CHANGE):
        return True
    return any(new[name] > old[name] for name in NARROWING)


def approval_after_change(before: Course, after: Course, *, by_approver: bool
                          ) -> CourseApproval:
    """The approval a changed course keeps. A coordinator's change keeps it as it was; a
    provider's change resubmits a returned course and makes an approved one a draft again
    when :func:`needs_new_approval` says so."""
    current = before.approval or CourseApproval.DRAFT
    if by_approver:
        return current
    if current is CourseApproval.RETURNED:
        return CourseApproval.DRAFT
    if current is CourseApproval.APPROVED and needs_new_approval(before, after):
        return CourseApproval.DRAFT
    return current
