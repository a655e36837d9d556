"""Landkreis Heidekreis (district key 03358, Lower Saxony): the real county the demo and the
benchmarks populate.

Municipalities with their official 8-digit keys (*Amtlicher Gemeindeschlüssel*) as in the
directory ankommen ships (:mod:`ankommen.shared.reference.municipalities`: Destatis GV-ISys,
territorial status since Bomlitz and Walsrode became the new town of Walsrode, 03358024, on
1 January 2020; a test keeps the two in step), the postal code of the main town, rounded
coordinates and rounded population figures. The population is only a weight for where
arrivals live (larger towns, more arrivals; shared accommodation mainly in the towns).
Osterheide (03358501) is an unincorporated military training area with almost no residents
and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

DISTRICT_KEY = "03358"
DISTRICT_NAME = "Landkreis Heidekreis"


@dataclass(frozen=True)
class Municipality:
    key: str
    name: str
    postal_code: str
    latitude: float
    longitude: float
    population: int


MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality("03358001", "Ahlden (Aller)", "29693", 52.762, 9.555, 1500),
    Municipality("03358008", "Bad Fallingbostel", "29683", 52.867, 9.697, 12000),
    Municipality("03358002", "Bispingen", "29646", 53.084, 9.998, 6400),
    Municipality("03358003", "Böhme", "29693", 52.774, 9.500, 1100),
    Municipality("03358006", "Eickeloh", "29693", 52.737, 9.585, 800),
    Municipality("03358009", "Frankenfeld", "29664", 52.783, 9.428, 600),
    Municipality("03358010", "Gilten", "29690", 52.700, 9.588, 1100),
    Municipality("03358011", "Grethem", "29690", 52.738, 9.546, 700),
    Municipality("03358012", "Hademstorf", "29693", 52.698, 9.503, 1100),
    Municipality("03358013", "Häuslingen", "27336", 52.803, 9.388, 900),
    Municipality("03358014", "Hodenhagen", "29693", 52.766, 9.593, 3200),
    Municipality("03358015", "Lindwedel", "29690", 52.612, 9.683, 2400),
    Municipality("03358016", "Munster", "29633", 52.987, 10.087, 15200),
    Municipality("03358017", "Neuenkirchen", "29643", 53.032, 9.717, 5600),
    Municipality("03358007", "Essel", "29690", 52.689, 9.691, 1300),
    Municipality("03358018", "Rethem (Aller)", "27336", 52.787, 9.379, 2500),
    Municipality("03358019", "Schneverdingen", "29640", 53.117, 9.797, 19100),
    Municipality("03358020", "Schwarmstedt", "29690", 52.678, 9.617, 5500),
    Municipality("03358005", "Buchholz (Aller)", "29690", 52.671, 9.686, 1300),
    Municipality("03358021", "Soltau", "29614", 52.988, 9.843, 22200),
    Municipality("03358024", "Walsrode", "29664", 52.862, 9.590, 30300),
    Municipality("03358023", "Wietzendorf", "29649", 52.930, 9.975, 4100),
)

#: Towns with a course venue (the others reach one of these, or attend online).
COURSE_TOWNS: tuple[str, ...] = ("03358021", "03358024", "03358016", "03358019", "03358008",
                                 "03358020", "03358002")


def municipality(key: str) -> Municipality:
    for candidate in MUNICIPALITIES:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


@dataclass(frozen=True)
class Provider:
    """A course provider (*Kursträger*) and the channel its own systems report on."""

    provider_id: str
    name: str
    towns: tuple[str, ...]
    channel: str  # "csv" | "http" | "kafka"


PROVIDERS: tuple[Provider, ...] = (
    Provider("vhs-heidekreis", "Volkshochschule Heidekreis",
             ("03358021", "03358024", "03358016", "03358019", "03358008"), "csv"),
    Provider("bildungszentrum-heide", "Bildungszentrum Heide (invented)",
             ("03358021", "03358019", "03358002"), "kafka"),
    Provider("sprachwerk-walsrode", "Sprachwerk Walsrode (invented)",
             ("03358024", "03358008", "03358020"), "http"),
    Provider("lernhaus-munster", "Lernhaus Munster (invented)", ("03358016", "03358021"),
             "http"),
    Provider("deutsch-online-nord", "Deutsch online Nord (invented)", ("03358021",), "http"),
    Provider("ehrenamt-heidekreis", "Ehrenamtliche Sprachpaten Heidekreis (invented)",
             COURSE_TOWNS, "http"),
)
