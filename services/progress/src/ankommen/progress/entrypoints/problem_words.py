"""Refusals in the reader's language — a list's rows, the roster's, the refused-reports page:
the column as the list names it, the reason in words, never pydantic's English or our internal
field names.

The API keeps the English ``field``/``reason`` (developers read it); the pages say the same
through the catalogues: a problem's own ``text`` where validation gave one, the frame's
``error.<type>`` words for shape errors (``missing``, ``date_parsing`` …), and for the
remaining English reasons of validation the ``imports.reason.*`` texts matched by their
wording (:data:`REASON_TEXTS`; a reason not listed reads "ungültige Angabe" rather than
English).
"""

from __future__ import annotations

from ankommen.progress.adapters.csv_rows import UnreadableFile, column_of_field
from ankommen.progress.adapters.list_vocabulary import COLUMN_LABELS
from ankommen.progress.domain.problems import Problem
from ankommen.shared.web.i18n import Translator

#: The start of an English reason (validation, participation, reporting) → its text.
REASON_TEXTS = (
    ("the course of this placement is not known yet", "imports.reason.course_unknown"),
    ("in total more than the course's", "imports.reason.total_hours"),
    ("more than the course's", "imports.reason.course_hours"),
    ("more than hours_planned", "imports.reason.more_than_planned"),
    ("before period_start", "imports.reason.period_order"),
    ("a DTZ certifies", "imports.reason.dtz_level"),
    ("no such report for this referral code", "imports.reason.no_such_report"),
    ("that report is", "imports.reason.not_current"),
    ("a correction must have the kind", "imports.reason.correction_kind"),
    ("overlaps the attendance", "imports.reason.overlap"),
    ("already used for a different report", "imports.reason.id_used"),
    ("the participation is already", "imports.reason.already_ended"),
    ("the participant is already enrolled", "imports.reason.already_enrolled"),
    ("cannot interrupt", "imports.reason.cannot_interrupt"),
    ("cannot resume", "imports.reason.cannot_resume"),
    ("cannot complete", "imports.reason.cannot_complete"),
    ("the participant is not enrolled yet", "imports.reason.not_enrolled"),
    ("must be one of", "imports.reason.unknown_word"),
)


def reason_text(problem: Problem, t: Translator) -> str:
    """Why a row was refused, in ``t``'s language."""
    if problem.text and t.has(problem.text):
        return t(problem.text, **problem.values)
    for start, key in REASON_TEXTS:
        if problem.reason.startswith(start):
            return t(key)
    if problem.error_type in ("enum", "literal_error"):
        return t("imports.reason.unknown_word")
    if problem.error_type and t.has(f"error.{problem.error_type}"):
        return t(f"error.{problem.error_type}", **problem.values)
    return t("imports.reason.invalid")


def column_text(field: str, headers: dict[str, str], t: Translator) -> str:
    """The column a refusal is about: as the list's header names it, else its label."""
    column = column_of_field(field)
    if column in headers:
        return headers[column]
    if column in COLUMN_LABELS:
        return t(f"imports.column.{column}")
    return t("imports.column.row")


def unreadable_text(error: UnreadableFile, t: Translator) -> str:
    """Why a whole file was refused, in ``t``'s language."""
    return t(error.text, **error.values)
