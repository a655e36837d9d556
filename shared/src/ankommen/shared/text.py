"""Text that one person types and another reads: names, contact details, course titles.

Such text is shown on pages, in CSV files and in a provider's contact list, far from where it
was typed. A control character (NUL, a line break, a tab) or a direction override (U+202E
turns ``Anna`` into what reads as another name, and a file name's ``fdp.exe`` into
``exe.pdf``) makes it show something other than what was stored, splits a line in two in a
list or an export, and fools the duplicate check with names that look alike but are not the
same. So every field shown to another person refuses them, with a 422 naming the field.

Refused: every control character (Unicode category Cc: NUL, tab and line breaks included),
every format character (Cf: the direction controls U+202A–U+202E, U+2066–U+2069, U+200E,
U+200F, U+061C, and the invisible ones such as the zero-width space U+200B, the soft hyphen
U+00AD and the byte-order mark U+FEFF), the line and paragraph separators (U+2028, U+2029)
and lone surrogates. Allowed: every script, every letter with its diacritics, apostrophes,
hyphens, spaces — and the zero-width non-joiner and joiner (U+200C, U+200D), which Persian and
Indic names need to be spelt right, and the Mongolian vowel separator (U+180E).

The rule is an annotation, put last in a ``str`` type after its own constraints (pydantic
applies constraints given after a validator to the validator's output, not the string)::

    title: Annotated[str, StringConstraints(max_length=200), SHOWN_TEXT]
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic_core import ErrorDetails, PydanticCustomError

#: The pydantic error type of a refused character; pages look for it to say it in German.
HIDDEN_CHARACTER = "hidden_character"
#: Format characters that spell words right in some scripts.
ALLOWED_FORMAT_CHARACTERS = frozenset({
    "\u200c",  # ZERO WIDTH NON-JOINER: Persian, Indic scripts
    "\u200d",  # ZERO WIDTH JOINER: Indic scripts
    "\u180e",  # MONGOLIAN VOWEL SEPARATOR
})
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def hidden_character(value: str) -> str | None:
    """The first character of ``value`` that must not be shown to people, if any."""
    for character in value:
        if unicodedata.category(character) in REFUSED_CATEGORIES \
                and character not in ALLOWED_FORMAT_CHARACTERS:
            return character
    return None


def code_point(character: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``; control characters have no name, only a number."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


def refuse_hidden_characters(value: str) -> str:
    found = hidden_character(value)
    if found is not None:
        raise PydanticCustomError(
            HIDDEN_CHARACTER,
            "must not contain control characters (line breaks and tabs included) or "
            "invisible direction and format characters; found {character}",
            {"character": code_point(found)})
    return value


#: The rule as an annotation for any ``str`` type shown to another person (put it last).
SHOWN_TEXT = AfterValidator(refuse_hidden_characters)

#: A person's family name or given names, in any script.
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=100), SHOWN_TEXT]


def refused_character(error: ErrorDetails) -> str | None:
    """The character a validation error refused (``U+202E …``), for a page to explain it in
    its own language; None for any other error."""
    if error["type"] != HIDDEN_CHARACTER:
        return None
    return str((error.get("ctx") or {}).get("character", ""))
