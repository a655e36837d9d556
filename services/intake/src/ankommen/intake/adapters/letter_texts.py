"""The invitation letter's texts: gettext catalogues read with Babel, one per language.

``locale/<ISO 639-3>/LC_MESSAGES/letter.po`` holds the letter in that language (``deu`` the
German text printed on every letter); ``locale/de`` and ``locale/en`` hold the texts of the
letter's pages for staff, which the pages' translator reads with the service's other page
texts (:mod:`ankommen.shared.web.i18n`). Each letter catalogue names its reviewer in the
header field ``X-Reviewed-By`` (Babel does not keep unknown header fields, so it is read from
the file).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from babel.messages.pofile import read_po

DOMAIN = "letter"
REVIEWED_BY = re.compile(r'^"X-Reviewed-By: (?P<who>.*)\\n"$', re.MULTILINE)


def _catalogue_file(language: str) -> Traversable:
    return files("ankommen.intake") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


class MissingText(LookupError):
    """A letter catalogue lacks a text the letter needs: a bug found by the tests, never a
    letter with a key printed in it."""


@cache
def letter_texts(language: str) -> dict[str, str]:
    """The texts of ``language``'s catalogue (ISO 639-3, or ``de``/``en`` for the pages),
    by key; untranslated (empty) entries are left out so that they count as missing."""
    with _catalogue_file(language).open("rb") as source:
        catalogue = read_po(source)
    return {str(message.id): str(message.string) for message in catalogue
            if message.id and message.string}


def text(language: str, key: str, **values: object) -> str:
    texts = letter_texts(language)
    if key not in texts:
        raise MissingText(f"{DOMAIN}.po of {language} has no text for {key}")
    return texts[key].format(**values) if values else texts[key]


@cache
def reviewed_by(language: str) -> str:
    """Who reviewed the translation (the catalogue's ``X-Reviewed-By``), or that nobody did."""
    found = REVIEWED_BY.search(_catalogue_file(language).read_text(encoding="utf-8"))
    return found["who"] if found else "not yet reviewed"

