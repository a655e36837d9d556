"""Validation errors for people: pydantic's refusals, said in the page's language.

The API answers with pydantic's English reasons ("String should match pattern '^[a-z]{3}$'"),
which serve a developer; a clerk on a German form needs "Bitte angeben." next to the field
the reason is about. This layer translates by the error's *type* (``missing``,
``less_than_equal``, our own ``date_in_future`` …) through the catalogue's ``error.<type>``
texts, with the error's limits (``{le}``, ``{max_length}``) filled in — never the pattern or
the English message. A type without a text reads "Diese Angabe ist ungültig." and is found
by ``tests/shared/unit/test_form_errors.py``, which lists every type our models raise.

Errors a model raises about one of its fields from a model validator name that field in
their context (``{"field": "obliged_by"}``); the page shows them there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from pydantic_core import ErrorDetails

from ankommen.shared.text import refused_character
from ankommen.shared.web.i18n import Translator

#: Context values that may appear in a text (limits); the others (patterns, expected enum
#: values, the input itself) are for developers or could echo what was typed.
SHOWN_CONTEXT = frozenset({"ge", "gt", "le", "lt", "min_length", "max_length", "max_years"})
#: Where pydantic says an error is: ``("body", "venue", "city")``, ``("schedule", 0, "day")``.
FieldLocation = tuple[int | str, ...]


def _shown(value: object) -> object:
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return value


def reason(error: ErrorDetails, t: Translator) -> str:
    """Why a value was refused, in ``t``'s language, without naming the field."""
    character = refused_character(error)
    if character is not None:
        return t("input.hidden_character", character=character)
    key = f"error.{error['type']}"
    if not t.has(key):
        return t("error.invalid")
    context = error.get("ctx") or {}
    return t(key, **{name: _shown(value) for name, value in context.items()
                     if name in SHOWN_CONTEXT})


def field_of(error: ErrorDetails, form_field: Callable[[FieldLocation], str]) -> str:
    """The form field an error belongs to: the one a model validator named, else the one its
    location maps to (``form_field`` knows how the API's body maps onto the form)."""
    named = (error.get("ctx") or {}).get("field")
    location = tuple(error["loc"])
    if isinstance(named, str):
        return form_field((*location, named))
    return form_field(location)


def form_errors(errors: Iterable[ErrorDetails], t: Translator,
                form_field: Callable[[FieldLocation], str]) -> dict[str, str]:
    """Field name -> reason, the first reason per field (one message per field reads best)."""
    shown: dict[str, str] = {}
    for error in errors:
        shown.setdefault(field_of(error, form_field), reason(error, t))
    return shown
