"""What the audit log records: each disclosure or change of a person's data, and why.

The purpose is chosen from a fixed list rather than typed freely, so that no personal data
ends up in the log by way of an explanation.
"""

from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    """Why someone looks at a person's identity."""

    COUNSELLING = "counselling"
    CORRECTION = "correction"
    DUPLICATE_REVIEW = "duplicate_review"
    PLACEMENT_DISCLOSURE = "placement_disclosure"
    DATA_SUBJECT_REQUEST = "data_subject_request"
    #: Printing the person's invitation letter to a confirmed course (it carries the name).
    INVITATION_LETTER = "invitation_letter"


class AuditAction(StrEnum):
    REGISTER = "register"
    UPDATE_IDENTITY = "update_identity"
    READ_IDENTITY = "read_identity"
    SEARCH = "search"
    UPDATE_SURVEY = "update_survey"
    CLOSE = "close"
    EXPORT = "export"
    ERASE = "erase"
    SUSPECT_DUPLICATE = "suspect_duplicate"
    SCAN_DUPLICATES = "scan_duplicates"
    MERGE = "merge"
    DISMISS_DUPLICATE = "dismiss_duplicate"
    DISCLOSE_CONTACT = "disclose_contact"
    PRINT_LETTER = "print_letter"
