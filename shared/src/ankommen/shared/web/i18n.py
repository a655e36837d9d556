"""German first, English switchable: the users are German municipal staff, but interpreters,
IT and many providers work in English.

Texts live in gettext catalogues, read with Babel: ``<package>/locale/<lang>/LC_MESSAGES/
<domain>.po`` for ``de`` and ``en``, the msgid a dotted key (``register.title``), the msgstr
the text with ``{name}`` placeholders. Translators work in the format their tools know (Poedit,
Weblate), and a key without a German or English text is found by a test: statically
(``tests/shared/unit/test_page_texts.py`` extracts every ``t("…")`` with Babel) and on every
page a test renders, because tests run with ``ANKOMMEN_STRICT_TEXTS=1``, which makes a missing
key an error instead of showing the key. In production a missing English text falls back to
German, a missing key shows the key and is logged (a page never breaks over a word).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from babel.messages.pofile import read_po

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
#: Set (to 1) by the test suite: a missing text raises :class:`MissingText`.
STRICT_TEXTS_VARIABLE = "ANKOMMEN_STRICT_TEXTS"

#: key -> language -> text
Catalogue = dict[str, dict[str, str]]

log = logging.getLogger(__name__)


class MissingText(LookupError):
    """A page asked for a text no catalogue has (raised only with ANKOMMEN_STRICT_TEXTS)."""


def _po_files(package: str, language: str) -> list[Traversable]:
    folder = files(package) / "locale" / language / "LC_MESSAGES"
    if not folder.is_dir():
        return []
    return sorted((entry for entry in folder.iterdir() if entry.name.endswith(".po")),
                  key=lambda entry: entry.name)


def read_catalogue(po_files: Iterable[Traversable], language: str) -> dict[str, str]:
    """The non-empty, non-fuzzy texts of ``po_files``; a key in two files is an error (two
    domains must not quietly override each other)."""
    texts: dict[str, str] = {}
    for po_file in po_files:
        with po_file.open("rb") as stream:
            catalog = read_po(stream, locale=language)
        for message in catalog:
            if not message.id or not message.string or message.fuzzy:
                continue
            key = str(message.id)
            if key in texts and texts[key] != message.string:
                raise ValueError(f"{po_file.name}: {key!r} is defined twice for {language}")
            texts[key] = str(message.string)
    return texts


@cache
def package_catalogue(package: str) -> Catalogue:
    """Every text of ``package``'s ``locale/`` folder, read once per process."""
    catalogue: Catalogue = {}
    for language in LANGUAGES:
        for key, text in read_catalogue(_po_files(package, language), language).items():
            catalogue.setdefault(key, {})[language] = text
    return catalogue


def catalogue_of(*packages: str) -> Catalogue:
    """The texts of several packages, later ones overriding earlier ones per key."""
    merged: Catalogue = {}
    for package in packages:
        merged.update(package_catalogue(package))
    return merged


#: The words of the page frame (sign-in, navigation, shared form messages).
FRAME_PACKAGE = "ankommen.shared.web"


def strict_texts() -> bool:
    return os.environ.get(STRICT_TEXTS_VARIABLE, "") not in ("", "0")


class Translator:
    def __init__(self, catalogue: Catalogue, language: str, *, strict: bool | None = None
                 ) -> None:
        self._catalogue = catalogue
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._strict = strict_texts() if strict is None else strict

    def has(self, key: str) -> bool:
        """Whether ``key`` has a text (for labels that may fall back to another wording)."""
        return key in self._catalogue

    def __call__(self, key: str, **values: object) -> str:
        texts = self._catalogue.get(key)
        if texts is None:
            if self._strict:
                raise MissingText(key)
            log.warning("page text missing", extra={"key": key})
            return key
        text = texts.get(self.language)
        if text is None:
            if self._strict:
                raise MissingText(f"{key} ({self.language})")
            text = texts[DEFAULT_LANGUAGE]
        return text.format(**values) if values else text

    @property
    def other_language(self) -> str:
        return "en" if self.language == "de" else "de"
