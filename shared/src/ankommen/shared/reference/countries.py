"""Countries (birth country) and nationalities: ISO 3166-1 alpha-3 with German and English names.

Intake stores both as three-letter codes (``ankommen.intake.domain.countries``): ISO 3166-1
alpha-3, plus the codes German documents use where ISO has none. The names come from
``pycountry``, which ships the ISO 3166-1 data and its translations from Debian's
``iso-codes`` (maintained by Debian, updated with every ISO change); the variants a clerk
types (``Syrien``, ``Syrische Arabische Republik``, ``Russland``, ``Türkei``/``Turkey``) are
added here.

Codes beyond ISO 3166-1, as intake accepts them:

- ``RKS`` Kosovo. ISO has assigned Kosovo no code; German authorities write ``RKS`` on
  residence documents (the code intake accepts), the EU and ICAO use ``XK``/``XKX``: both
  resolve to ``RKS``. The Federal Statistical Office counts Kosovo as a state of its own
  (nationality key 150), so it is a country here, not a region of Serbia.
- ``XXA`` stateless (*staatenlos*) and ``XXX`` undetermined (*ungeklärt*), ICAO Doc 9303:
  nationalities only, never a birth country.
"""

from __future__ import annotations

import functools
import gettext
from dataclasses import replace

import pycountry

from ankommen.shared.reference.matching import Alias, Entry, Lang, ReferenceList, texts

KOSOVO = "RKS"
STATELESS = "XXA"
UNDETERMINED = "XXX"

#: Spellings clerks and documents use besides the ISO names (German and English mixed: a
#: variant means the same in either language).
_VARIANTS: dict[str, tuple[str, ...]] = {
    "AFG": ("Islamische Republik Afghanistan",),
    "ARE": ("VAE", "Emirate", "UAE"),
    "BIH": ("Bosnien", "Bosnien-Herzegowina", "Bosnia"),
    "BLR": ("Weißrussland", "Weissrussland", "Byelorussia"),
    "CIV": ("Elfenbeinküste", "Ivory Coast"),
    "COD": ("DR Kongo", "Demokratische Republik Kongo", "Kongo-Kinshasa", "DR Congo", "DRC",
            "Zaire"),
    "COG": ("Republik Kongo", "Kongo-Brazzaville", "Republic of the Congo",
            "Congo-Brazzaville"),
    "CPV": ("Kapverden", "Kapverdische Inseln", "Cape Verde"),
    "CZE": ("Tschechische Republik", "Czech Republic"),
    "GBR": ("Großbritannien", "England", "Schottland", "Wales", "Nordirland", "Great Britain",
            "UK", "Britain"),
    "IRN": ("Persien", "Persia"),
    "IRQ": ("Republik Irak", "Republic of Iraq"),
    "KGZ": ("Kirgistan", "Kyrgyzstan"),
    "MDA": ("Moldawien", "Moldova"),
    "MKD": ("Mazedonien", "Macedonia"),
    "MMR": ("Birma", "Burma"),
    "NLD": ("Holland",),
    "PSE": ("Palästina", "Palästinensische Gebiete", "Palestine", "Palestinian territories"),
    "RUS": ("Russland", "Russia"),
    "SWZ": ("Swasiland", "Swaziland"),
    "SYR": ("Syrische Arabische Republik", "Arabische Republik Syrien", "Syria"),
    "TLS": ("Osttimor", "East Timor"),
    "TUR": ("Turkey", "Türkiye", "Republik Türkei"),
    "USA": ("Vereinigte Staaten von Amerika", "Amerika", "US", "America"),
    "VAT": ("Vatikan", "Vatikanstadt", "Vatican"),
}

#: Nationality adjectives (German stem, English), for the nationality field only: a clerk
#: who writes "syrisch" or "Syrian" means the nationality. German adjectives also resolve
#: inflected ("syrische", "syrischer"). A bonus on the main countries of origin, not complete.
_ADJECTIVES: dict[str, tuple[str, str]] = {
    "AFG": ("afghanisch", "Afghan"), "ALB": ("albanisch", "Albanian"),
    "ARM": ("armenisch", "Armenian"), "AZE": ("aserbaidschanisch", "Azerbaijani"),
    "BIH": ("bosnisch", "Bosnian"), "BGR": ("bulgarisch", "Bulgarian"),
    "CHN": ("chinesisch", "Chinese"), "DEU": ("deutsch", "German"),
    "DZA": ("algerisch", "Algerian"), "EGY": ("ägyptisch", "Egyptian"),
    "ERI": ("eritreisch", "Eritrean"), "ETH": ("äthiopisch", "Ethiopian"),
    "FRA": ("französisch", "French"), "GBR": ("britisch", "British"),
    "GEO": ("georgisch", "Georgian"), "GHA": ("ghanaisch", "Ghanaian"),
    "GMB": ("gambisch", "Gambian"), "GRC": ("griechisch", "Greek"),
    "HRV": ("kroatisch", "Croatian"), "IND": ("indisch", "Indian"),
    "IRN": ("iranisch", "Iranian"), "IRQ": ("irakisch", "Iraqi"),
    "ITA": ("italienisch", "Italian"), "JOR": ("jordanisch", "Jordanian"),
    "KAZ": ("kasachisch", "Kazakh"), "LBN": ("libanesisch", "Lebanese"),
    "LBY": ("libysch", "Libyan"), "MAR": ("marokkanisch", "Moroccan"),
    "MDA": ("moldauisch", "Moldovan"), "MKD": ("nordmazedonisch", "North Macedonian"),
    "NGA": ("nigerianisch", "Nigerian"), "PAK": ("pakistanisch", "Pakistani"),
    "POL": ("polnisch", "Polish"), "PSE": ("palästinensisch", "Palestinian"),
    "ROU": ("rumänisch", "Romanian"), "RUS": ("russisch", "Russian"),
    "RKS": ("kosovarisch", "Kosovar"), "SDN": ("sudanesisch", "Sudanese"),
    "SOM": ("somalisch", "Somali"), "SRB": ("serbisch", "Serbian"),
    "SYR": ("syrisch", "Syrian"), "TUN": ("tunesisch", "Tunisian"),
    "TUR": ("türkisch", "Turkish"), "UKR": ("ukrainisch", "Ukrainian"),
    "VNM": ("vietnamesisch", "Vietnamese"), "YEM": ("jemenitisch", "Yemeni"),
}

#: Names that mean more than one country: the clerk chooses.
_AMBIGUOUS = (
    Alias("Kongo", ("COD", "COG")),
    Alias("Congo", ("COD", "COG")),
    Alias("Korea", ("KOR", "PRK")),
)

#: The codes beyond ISO 3166-1 (names in ``reference.po``) and what else means them.
_BEYOND_ISO: dict[str, tuple[str, ...]] = {
    KOSOVO: ("Republik Kosovo", "Republic of Kosovo", "Kosova", "XKX", "XK"),
    STATELESS: ("Staatenlose", "Staatenloser", "ohne Staatsangehörigkeit", "stateless person",
                "no nationality"),
    UNDETERMINED: ("ungeklärte Staatsangehörigkeit", "nicht geklärt", "unbekannt", "unknown",
                   "unspecified", "undetermined nationality"),
}


def _beyond_iso(code: str) -> Entry:
    return Entry(code, texts(f"reference.country.{code}"), _BEYOND_ISO[code])


def _iso_entries() -> list[Entry]:
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    entries: list[Entry] = []
    for country in pycountry.countries:
        english_names = [getattr(country, "common_name", None), country.name,
                         getattr(country, "official_name", None)]
        english = [name for name in english_names if name]
        names: dict[Lang, str] = {"de": german.gettext(english[0]), "en": english[0]}
        variants = {*english, *(german.gettext(name) for name in english)}
        variants.update(_VARIANTS.get(country.alpha_3, ()))
        variants.discard(names["de"])
        variants.discard(names["en"])
        entries.append(Entry(country.alpha_3, names, tuple(sorted(variants))))
    return entries


@functools.cache
def countries() -> ReferenceList:
    """Countries, e.g. for the birth country: ISO 3166-1 and Kosovo."""
    return ReferenceList([*_iso_entries(), _beyond_iso(KOSOVO)], aliases=_AMBIGUOUS)


def _with_adjectives(entry: Entry) -> Entry:
    adjective = _ADJECTIVES.get(entry.code)
    if adjective is None:
        return entry
    german, english = adjective
    forms = (german, f"{german}e", f"{german}er", f"{german}es", english)
    return replace(entry, variants=(*entry.variants, *forms))


@functools.cache
def nationalities() -> ReferenceList:
    """Nationalities: the countries (also by adjective: ``syrisch``, ``Syrian``), and
    ``staatenlos`` and ``ungeklärt`` at the end."""
    entries = [_with_adjectives(entry) for entry in (*_iso_entries(), _beyond_iso(KOSOVO))]
    return ReferenceList([*entries, _beyond_iso(STATELESS), _beyond_iso(UNDETERMINED)],
                         aliases=_AMBIGUOUS, last=(STATELESS, UNDETERMINED))
