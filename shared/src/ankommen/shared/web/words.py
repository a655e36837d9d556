"""Codes as words on pages for people: a coordinator reads "Allgemeiner Integrationskurs",
"vormittags", "Landkreis Heidekreis" and "VHS Heidekreis", never ``general_integration``,
``mornings``, ``03358`` or ``vhs-heidekreis``.

The words for the event contracts' codes live in ONE shared catalogue, the frame's
``vocabulary.po`` (keys ``option.<enum>.<value>``), so that every service shows a course type or
a placement status with the same word; region keys become names from the county's
municipality directory (:mod:`ankommen.shared.reference`). Templates get a :class:`Words` as
``words`` next to ``t``. Machine-readable answers (the JSON API, CSV meant for import) keep
their codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ankommen.shared.web.i18n import Translator

if TYPE_CHECKING:
    from ankommen.shared.reference import ReferenceList
    from ankommen.shared.settings import CommonSettings

log = logging.getLogger(__name__)


@dataclass
class Places:
    """Names for the county's region keys, looked up once on first use.

    A service that does not need the directory must still start when the county's districts
    are not in it (an invented test county): then a district without a row is shown as
    "Kreis 03359" and a municipality key as it is, and the gap is logged once."""

    load: Callable[[], tuple[ReferenceList | None, Mapping[str, str]]]
    _loaded: tuple[ReferenceList | None, Mapping[str, str]] | None = field(default=None,
                                                                          init=False)

    @classmethod
    def of(cls, settings: CommonSettings) -> Places:
        """From a service's settings (``municipalities()`` and ``district_names()``)."""

        def load() -> tuple[ReferenceList | None, Mapping[str, str]]:
            # Imported on first use: a service process that never shows a region need not
            # load the reference lists.
            from ankommen.shared.reference import DirectoryError

            municipalities = None
            try:
                municipalities = settings.municipalities()
            except DirectoryError as error:
                log.warning("municipality names unavailable", extra={"reason": str(error)})
            try:
                return municipalities, settings.district_names()
            except DirectoryError as error:
                log.warning("district names unavailable", extra={"reason": str(error)})
                return municipalities, {}

        return cls(load)

    def _directory(self) -> tuple[ReferenceList | None, Mapping[str, str]]:
        if self._loaded is None:
            self._loaded = self.load()
        return self._loaded

    def district(self, key: str) -> str | None:
        return self._directory()[1].get(key)

    def municipality(self, key: str, language: str) -> str | None:
        municipalities = self._directory()[0]
        return municipalities.name(key, "en" if language == "en" else "de") \
            if municipalities is not None else None


class Words:
    """The words for codes in one reader's language (``words`` in every template)."""

    def __init__(self, t: Translator, places: Places | None = None) -> None:
        self.t = t
        self.places = places

    def option(self, enum: str, value: object) -> str:
        """``option.<enum>.<value>`` from the vocabulary (a missing word fails in tests)."""
        return self.t(f"option.{enum}.{getattr(value, 'value', value)}")

    def options(self, enum: str, values: Iterable[object]) -> str:
        """Several values as one list of words ("vormittags, abends")."""
        return self.t("vocabulary.list_separator").join(
            self.option(enum, value) for value in values)

    def district(self, key: str) -> str:
        """``03358`` → "Landkreis Heidekreis"; "Kreis 03358" where the directory has no row."""
        name = self.places.district(key) if self.places else None
        return name or self.t("vocabulary.district_fallback", code=key)

    def region(self, key: str) -> str:
        """A region key as a name: a municipality by its name, a district by the district's."""
        if len(key) == 5:
            return self.district(key)
        name = self.places.municipality(key, self.t.language) if self.places else None
        return name or key

    @staticmethod
    def provider(provider_id: str, provider_name: str | None = None) -> str:
        """A provider by the display name it announced; its id only where it announced none."""
        return provider_name or provider_id
