"""Authoritative reference lists — countries, nationalities, languages, the county's
municipalities — with German and English names, and the resolution of what a clerk types.

Pages store codes and show names. One API for all four lists (:class:`ReferenceList`)::

    from ankommen.shared.reference import languages, municipalities, nationalities

    nationalities().resolve("Syrien").code            # "SYR"
    languages().resolve("Kurdisch").candidates        # kmr, ckb, kur: the clerk chooses
    languages().resolve_many("Arabisch, Farsi")       # [ara, fas]
    municipalities({"03358"}).resolve("Soltau").code  # "03358021"
    languages().name("prs", "en")                     # "Dari"
    languages().options("de")                         # arrival languages first, then A–Z

Sources, dates and how to update them: docs/reference-data.md.
"""

from ankommen.shared.reference.countries import (
    KOSOVO,
    STATELESS,
    UNDETERMINED,
    countries,
    nationalities,
)
from ankommen.shared.reference.languages import ARRIVAL_LANGUAGES, languages
from ankommen.shared.reference.matching import (
    Lang,
    Option,
    ReferenceList,
    Resolution,
    TooManyValues,
    fold,
    german_sort_key,
)
from ankommen.shared.reference.municipalities import (
    DirectoryError,
    district_names,
    municipalities,
)

__all__ = [
    "ARRIVAL_LANGUAGES",
    "KOSOVO",
    "STATELESS",
    "UNDETERMINED",
    "DirectoryError",
    "Lang",
    "Option",
    "ReferenceList",
    "Resolution",
    "TooManyValues",
    "countries",
    "district_names",
    "fold",
    "german_sort_key",
    "languages",
    "municipalities",
    "nationalities",
]
