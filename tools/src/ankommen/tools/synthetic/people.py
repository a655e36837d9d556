"""Invented arrivals: identity and survey with the mix a rural German county sees.

The shares are rounded from what the practice reports and the federal integration-course
statistics describe for 2023–25 arrivals: many Ukrainians under temporary protection (mostly
women, often with children, usually literate in Cyrillic script and with long schooling),
people from Syria, Afghanistan, Iraq, Turkey, Eritrea and Somalia under asylum law (younger,
more men, shorter schooling on average, some who cannot read and write in any script), and EU
citizens from Romania, Bulgaria and Poland. Nothing here is a real person: names are drawn from
short lists of common names per language, birth dates and file numbers at random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ankommen.tools.synthetic.county import MUNICIPALITIES, Municipality


@dataclass(frozen=True)
class Origin:
    """A language group: first language (ISO 639-3), countries and what tends to go with it."""

    language: str
    share: float
    countries: tuple[str, ...]
    latin_script: bool
    mean_schooling: float
    female_share: float
    statuses: tuple[tuple[str, float], ...]
    other_languages: tuple[str, ...]
    family_names: tuple[str, ...]
    female_names: tuple[str, ...]
    male_names: tuple[str, ...]
    places: tuple[str, ...]


_ASYLUM = (("recognised_refugee", 0.40), ("subsidiary_protection", 0.20),
           ("asylum_seeker", 0.25), ("tolerated", 0.08), ("family_reunification", 0.07))

ORIGINS: tuple[Origin, ...] = (
    Origin("ukr", 0.24, ("UKR",), False, 13.0, 0.68, (("temporary_protection", 1.0),),
           ("rus", "eng"), ("Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk",
                            "Kravchenko", "Oliinyk", "Boiko", "Moroz", "Lysenko"),
           ("Olena", "Iryna", "Tetiana", "Nataliia", "Oksana", "Yuliia", "Kateryna", "Daryna"),
           ("Oleksandr", "Andrii", "Serhii", "Dmytro", "Mykola", "Volodymyr", "Taras"),
           ("Kyiv", "Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Mykolaiv")),
    Origin("ara", 0.20, ("SYR", "IRQ"), False, 9.0, 0.40, _ASYLUM, ("eng", "kmr"),
           ("Al-Hassan", "Haddad", "Khalil", "Al-Ahmad", "Ibrahim", "Mansour", "Saleh",
            "Hamdan", "Al-Khatib", "Darwish"),
           ("Mariam", "Fatima", "Rana", "Huda", "Amal", "Nour", "Lina", "Samira"),
           ("Mohammed", "Ahmad", "Omar", "Khaled", "Mahmoud", "Yusuf", "Ali", "Hassan"),
           ("Aleppo", "Damaskus", "Homs", "Idlib", "Mossul", "Bagdad", "Deir ez-Zor")),
    Origin("prs", 0.09, ("AFG",), False, 6.5, 0.42, _ASYLUM, ("pus", "fas"),
           ("Ahmadi", "Hosseini", "Rahimi", "Karimi", "Mohammadi", "Sultani", "Nazari"),
           ("Zahra", "Maryam", "Fereshta", "Shabnam", "Mahbooba", "Parwana"),
           ("Mohammad", "Ahmad", "Ali", "Rahim", "Hamid", "Javid", "Farid"),
           ("Kabul", "Herat", "Mazar-i-Sharif", "Ghazni", "Kunduz")),
    Origin("fas", 0.04, ("IRN",), False, 12.0, 0.45, _ASYLUM, ("eng",),
           ("Rostami", "Jafari", "Hashemi", "Ebrahimi", "Moradi", "Sadeghi"),
           ("Parisa", "Nasrin", "Leila", "Shirin", "Mina"),
           ("Reza", "Hossein", "Mehdi", "Saeed", "Amir"),
           ("Teheran", "Isfahan", "Schiras", "Täbris")),
    Origin("tur", 0.09, ("TUR",), True, 10.0, 0.38,
           (("asylum_seeker", 0.55), ("family_reunification", 0.25), ("skilled_worker", 0.20)),
           ("eng",), ("Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Yildiz", "Aydin"),
           ("Ayse", "Elif", "Zeynep", "Emine", "Fatma", "Merve"),
           ("Mehmet", "Mustafa", "Ahmet", "Emre", "Murat", "Hasan"),
           ("Istanbul", "Ankara", "Izmir", "Gaziantep", "Konya")),
    Origin("kmr", 0.08, ("SYR", "IRQ", "TUR"), True, 7.0, 0.42, _ASYLUM, ("ara", "tur"),
           ("Ali", "Hasso", "Sino", "Murad", "Khalaf", "Qasim", "Bakr"),
           ("Jiyan", "Rojda", "Berfin", "Nalin", "Avin", "Dilan"),
           ("Rojhat", "Azad", "Serhat", "Baran", "Kawa", "Dilshad"),
           ("Qamischli", "Afrin", "Kobane", "Duhok", "Sindschar")),
    Origin("tir", 0.04, ("ERI",), False, 6.0, 0.35, _ASYLUM, ("amh", "ara"),
           ("Tesfay", "Kidane", "Haile", "Berhane", "Gebremedhin", "Woldu"),
           ("Selam", "Helen", "Senait", "Luwam", "Yordanos"),
           ("Yonas", "Filmon", "Dawit", "Samuel", "Mehari"),
           ("Asmara", "Keren", "Mendefera", "Dekemhare")),
    Origin("rus", 0.06, ("RUS", "UKR", "KAZ"), False, 13.0, 0.58,
           (("temporary_protection", 0.45), ("family_reunification", 0.25),
            ("skilled_worker", 0.15), ("asylum_seeker", 0.15)), ("eng", "ukr"),
           ("Ivanova", "Smirnov", "Petrova", "Sokolov", "Kuznetsova", "Popov"),
           ("Anna", "Elena", "Svetlana", "Marina", "Olga"),
           ("Aleksei", "Ivan", "Sergei", "Pavel", "Nikolai"),
           ("Moskau", "Sankt Petersburg", "Almaty", "Charkiw")),
    Origin("som", 0.03, ("SOM",), True, 5.0, 0.40, _ASYLUM, ("ara", "eng"),
           ("Mohamed", "Abdi", "Hassan", "Farah", "Warsame", "Jama"),
           ("Hodan", "Amina", "Sahra", "Faadumo", "Ubah"),
           ("Abdirahman", "Abdullahi", "Mahad", "Liban", "Yusuf"),
           ("Mogadischu", "Kismaayo", "Baidoa", "Hargeysa")),
    Origin("pus", 0.03, ("AFG",), False, 4.5, 0.35, _ASYLUM, ("prs",),
           ("Khan", "Yousafzai", "Stanikzai", "Popal", "Wardak"),
           ("Malalai", "Gulalai", "Nazo", "Palwasha"),
           ("Gul", "Wali", "Noor", "Samiullah", "Zabihullah"),
           ("Kandahar", "Dschalalabad", "Chost", "Gardez")),
    Origin("ron", 0.05, ("ROU",), True, 10.5, 0.45, (("eu_citizen", 1.0),), ("eng",),
           ("Popescu", "Ionescu", "Dumitru", "Stan", "Constantin"),
           ("Maria", "Elena", "Andreea", "Ioana"), ("Ion", "Andrei", "Mihai", "Florin"),
           ("Bukarest", "Iași", "Craiova", "Constanța")),
    Origin("bul", 0.03, ("BGR",), False, 10.0, 0.48, (("eu_citizen", 1.0),), ("tur",),
           ("Ivanov", "Georgieva", "Dimitrov", "Petrova"), ("Desislava", "Galina", "Ivana"),
           ("Georgi", "Dimitar", "Nikolay"), ("Sofia", "Plowdiw", "Warna")),
    Origin("pol", 0.02, ("POL",), True, 12.0, 0.45, (("eu_citizen", 1.0),), ("eng",),
           ("Nowak", "Kowalski", "Wiśniewska", "Wójcik"), ("Anna", "Katarzyna", "Agnieszka"),
           ("Piotr", "Tomasz", "Paweł"), ("Danzig", "Stettin", "Breslau")),
)


def pick(rng: random.Random, weighted: tuple[tuple[Any, float], ...] | list[tuple[Any, float]]
         ) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _age(rng: random.Random) -> int:
    band = pick(rng, ((range(16, 18), 0.04), (range(18, 27), 0.30), (range(27, 45), 0.46),
                      (range(45, 65), 0.17), (range(65, 80), 0.03)))
    return rng.choice(band)


def _schooling(rng: random.Random, origin: Origin, age: int) -> int:
    years = round(rng.gauss(origin.mean_schooling, 3.5))
    if rng.random() < (0.10 if origin.mean_schooling < 8 else 0.02):
        years = 0  # never went to school
    return max(0, min(years, 20, age - 6))


def _qualification(rng: random.Random, years: int) -> str:
    if rng.random() < 0.05:
        return "unknown"
    for limit, name in ((0, "none"), (5, "primary"), (9, "lower_secondary"),
                        (11, "intermediate")):
        if years <= limit:
            return name
    return "upper_secondary"


def _german_level(rng: random.Random, status: str) -> str:
    if status in ("skilled_worker", "eu_citizen"):
        return pick(rng, (("A0", 0.25), ("A1", 0.25), ("A2", 0.2), ("B1", 0.2), ("B2", 0.1)))
    return pick(rng, (("A0", 0.46), ("A1", 0.30), ("A2", 0.14), ("B1", 0.08), ("B2", 0.02)))


def _entitlement(rng: random.Random, status: str) -> tuple[str, str | None]:
    if status == "eu_citizen":
        return pick(rng, (("not_entitled", 0.7), ("entitled", 0.3))), None
    if status == "asylum_seeker":
        return pick(rng, (("entitled", 0.45), ("not_entitled", 0.35), ("unknown", 0.2))), None
    if status == "tolerated":
        return pick(rng, (("not_entitled", 0.5), ("entitled", 0.5))), None
    if rng.random() < 0.45:
        return "obliged", pick(rng, (("job_centre", 0.8), ("foreigners_office", 0.2)))
    return "entitled", None


def _children(rng: random.Random, gender: str, age: int) -> tuple[int, list[str]]:
    chance = (0.45 if gender == "female" else 0.15) if 22 <= age <= 44 else 0.03
    if rng.random() >= chance:
        return 0, []
    count = pick(rng, ((1, 0.5), (2, 0.35), (3, 0.15)))
    bands = sorted({pick(rng, (("under_3", 0.35), ("3_to_5", 0.35), ("6_to_11", 0.3)))
                    for _ in range(count)})
    return count, bands


def _availability(rng: random.Random, children: int, employed: bool) -> list[str]:
    slots = [slot for slot, chance in (("mornings", 0.35 if employed else 0.9),
                                       ("afternoons", 0.45), ("evenings", 0.6 if employed
                                                              else 0.2),
                                       ("weekends", 0.1)) if rng.random() < chance]
    if children and "mornings" not in slots and rng.random() < 0.7:
        slots.append("mornings")  # while the children are in day care or school
    return slots or ["mornings"]


def _municipality(rng: random.Random) -> Municipality:
    return rng.choices(MUNICIPALITIES, [m.population for m in MUNICIPALITIES])[0]


def _goals(rng: random.Random, age: int, qualification: str) -> list[str]:
    goals = [goal for goal, chance in (
        ("work", 0.75 if age < 60 else 0.2),
        ("vocational_training", 0.4 if age < 35 else 0.08),
        ("school_qualification", 0.6 if age < 21 else 0.02),
        ("university", 0.35 if qualification == "upper_secondary" and age < 40 else 0.0),
    ) if rng.random() < chance]
    return goals


def survey_of(rng: random.Random, origin: Origin, age: int, gender: str,
              home: Municipality) -> dict[str, Any]:
    """The registration form's survey (intake derives ``age_years`` from the birth date)."""
    status = pick(rng, origin.statuses)
    schooling = _schooling(rng, origin, age)
    qualification = _qualification(rng, schooling)
    literate = schooling >= 4 or rng.random() < 0.1
    reads_latin = literate and (origin.latin_script or rng.random() < (0.7 if schooling >= 8
                                                                      else 0.2))
    level = _german_level(rng, status)
    if not reads_latin and level not in ("A0", "A1"):
        level = "A1"  # spoken German picked up, but no written course level yet
    entitlement, obliged_by = _entitlement(rng, status)
    employed = rng.random() < (0.35 if status in ("eu_citizen", "skilled_worker") else 0.12)
    children, bands = _children(rng, gender, age)
    vocational = schooling >= 9 and rng.random() < 0.35
    university = qualification == "upper_secondary" and rng.random() < 0.3
    others = [code for code in origin.other_languages if rng.random() < 0.35]
    interpreter = level in ("A0", "A1") and rng.random() < 0.8
    return {
        "gender": gender,
        "region_key": home.key,
        "first_languages": [origin.language],
        "other_languages": others,
        "german_level": level,
        "german_certified": level not in ("A0", "A1") and rng.random() < 0.4,
        "reads_latin_script": reads_latin,
        "literate_other_script": literate and not origin.latin_script,
        "schooling_years": schooling,
        "school_qualification": qualification,
        "vocational_qualification": vocational,
        "vocational_field": rng.choice(("nursing", "construction", "retail", "tailoring",
                                        "mechanics", "hospitality", "agriculture"))
        if vocational else None,
        "university_degree": university,
        "university_field": rng.choice(("engineering", "medicine", "law", "education",
                                        "economics", "computer science")) if university
        else None,
        "recognition_wanted": (vocational or university) and rng.random() < 0.6,
        "work_experience_years": max(0, min(age - 16, round(rng.expovariate(1 / 6)))),
        "residence_status": status,
        "course_entitlement": entitlement,
        "obliged_by": obliged_by,
        "goals": _goals(rng, age, qualification),
        "children_needing_care": children,
        "childcare_age_bands": bands,
        "max_travel_minutes": pick(rng, ((30, 0.3), (45, 0.35), (60, 0.25), (90, 0.1))),
        "own_transport": rng.random() < 0.15,
        "can_attend_online": rng.random() < (0.5 if age < 45 else 0.25),
        "availability": _availability(rng, children, employed),
        "shift_work": employed and rng.random() < 0.3,
        "employed": employed,
        "interview_language": origin.language if interpreter or level == "A0" else "deu",
        "interpreter_used": interpreter,
        "consents": [consent for consent, chance in (
            ("share_contact_with_provider", 0.9), ("contact_by_phone", 0.6),
            ("contact_by_email", 0.3)) if rng.random() < chance],
    }


def identity_of(rng: random.Random, origin: Origin, age: int, gender: str, status: str,
                home: Municipality, today: date, serial: int) -> dict[str, Any]:
    """An invented identity; ``serial`` makes the file number unique, so that two invented
    people are never one case by an exact file-number match."""
    names = origin.female_names if gender == "female" else origin.male_names
    born = today - timedelta(days=age * 365 + rng.randrange(365))
    country = rng.choice(origin.countries)
    person: dict[str, Any] = {
        "family_name": rng.choice(origin.family_names),
        "given_names": " ".join(rng.sample(names, 2 if rng.random() < 0.3 else 1)),
        "birth_date": born.isoformat(),
        "birth_place": rng.choice(origin.places),
        "birth_country": country,
        "nationalities": [country],
        "address": {"street": f"{rng.choice(('Bahnhofstraße', 'Hauptstraße', 'Lindenweg', 'Am Markt', 'Heideweg', 'Schulstraße'))} {rng.randrange(1, 80)}",  # noqa: E501
                    "postal_code": home.postal_code, "city": home.name},
        "file_numbers": [{"kind": "federal_office" if status != "eu_citizen"
                          else "foreigners_office",
                          "number": f"{serial:07d}-{rng.randrange(1000):03d}"}],
    }
    if rng.random() < 0.85:
        person["phone"] = f"+49 15{rng.randrange(10)} {rng.randrange(10**7, 10**8)}"
    if rng.random() < 0.35:
        person["email"] = f"person{serial}@example.org"
    return person


@dataclass(frozen=True)
class Arrival:
    """One invented person: the registration body intake takes, and the day it happened."""

    registration: dict[str, Any]
    registered_on: date

    def body(self) -> dict[str, Any]:
        return {**self.registration, "registered_on": self.registered_on.isoformat()}


def arrivals(rng: random.Random, count: int, first_day: date, last_day: date,
             waiting: int = 0) -> list[Arrival]:
    """``count`` arrivals registered between ``first_day`` and ``last_day`` (inclusive); the
    first ``waiting`` of them on ``first_day`` (a county that starts with its waiting list)."""
    days = (last_day - first_day).days + 1
    result = []
    for serial in range(count):
        origin = rng.choices(ORIGINS, [o.share for o in ORIGINS])[0]
        age = _age(rng)
        gender = "female" if rng.random() < origin.female_share else "male"
        if rng.random() < 0.01:
            gender = rng.choice(("diverse", "unspecified"))
        home = _municipality(rng)
        survey = survey_of(rng, origin, age, gender, home)
        registered_on = first_day if serial < waiting else \
            first_day + timedelta(days=rng.randrange(days))
        person = identity_of(rng, origin, age, gender, survey["residence_status"], home,
                             registered_on, serial + 1)
        result.append(Arrival({"identity": person, "survey": survey}, registered_on))
    return sorted(result, key=lambda arrival: arrival.registered_on)
