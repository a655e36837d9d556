"""Countries, nationalities and languages by name (ankommen.shared.reference): what a clerk
types resolves to the code intake stores, or to a choice, never to a silent guess."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from ankommen.intake.domain.countries import is_country_code
from ankommen.intake.domain.identity import CountryCode
from ankommen.shared.events.contracts.vocabulary import LanguageCode
from ankommen.shared.reference import (
    ARRIVAL_LANGUAGES,
    TooManyValues,
    countries,
    fold,
    german_sort_key,
    languages,
    matching,
    nationalities,
)
from ankommen.shared.reference.languages import NAMED_HERE
from ankommen.shared.web.i18n import package_catalogue


@pytest.mark.parametrize(("typed", "code"), [
    ("Syrien", "SYR"), ("syrien", "SYR"), ("SYRIEN", "SYR"), ("Syria", "SYR"),
    ("Syrische Arabische Republik", "SYR"), ("Syrien, Arabische Republik", "SYR"),
    ("Türkei", "TUR"), ("Tuerkei", "TUR"), ("TÜRKEI", "TUR"), ("Turkei", "TUR"),
    ("Turkey", "TUR"), ("Türkiye", "TUR"),
    ("Iran", "IRN"), ("Iran, Islamische Republik", "IRN"), ("Irak", "IRQ"),
    ("Russland", "RUS"), ("Russische Föderation", "RUS"), ("Russia", "RUS"),
    ("Afghanistan", "AFG"), ("Eritrea", "ERI"), ("Ukraine", "UKR"), ("Deutschland", "DEU"),
    ("Elfenbeinküste", "CIV"), ("Côte d'Ivoire", "CIV"), ("Cote d Ivoire", "CIV"),
    ("Korea, Republik", "KOR"), ("Südkorea", "KOR"), ("Nordkorea", "PRK"),
    ("Bosnien und Herzegowina", "BIH"),
    ("Kosovo", "RKS"), ("XKX", "RKS"), ("RKS", "RKS"),
    ("staatenlos", "XXA"), ("Staatenlos", "XXA"), ("stateless", "XXA"),
    ("ungeklärt", "XXX"), ("ungeklaert", "XXX"), ("unbekannt", "XXX"),
    ("syr", "SYR"), (" SYR ", "SYR"), ("afg", "AFG"),
    ("syrisch", "SYR"), ("Syrische", "SYR"), ("afghanisch", "AFG"), ("Afghan", "AFG"),
    ("türkisch", "TUR"), ("tuerkisch", "TUR"), ("eritreisch", "ERI"), ("kosovarisch", "RKS"),
])
def test_nationality_typed_by_name_or_code_resolves_to_its_code(typed: str, code: str) -> None:
    assert nationalities().resolve(typed).code == code


def test_a_birth_country_is_never_stateless_or_undetermined() -> None:
    assert countries().resolve("Kosovo").code == "RKS"
    assert not countries().resolve("syrisch").resolved  # adjectives are for nationalities
    for typed in ("staatenlos", "ungeklärt", "XXA", "XXX"):
        assert not countries().resolve(typed).resolved, typed


def test_a_near_miss_is_suggested_never_taken() -> None:
    """Iran and Irak are one letter apart: a typo must not become somebody's nationality."""
    result = nationalities().resolve("Iram")
    assert result.code is None and result.unknown
    assert {option.code for option in result.suggestions} == {"IRN", "IRQ"}
    assert [option.name for option in nationalities().resolve("Syrein").suggestions] == [
        "Syrien"]
    assert nationalities().resolve("Afgh").suggestions[0].code == "AFG"
    assert len(nationalities().resolve("Ira").suggestions) <= 3


def test_nonsense_resolves_to_nothing() -> None:
    result = nationalities().resolve("xyzzy")
    assert result.unknown and result.suggestions == () and result.candidates == ()


def test_huge_input_costs_no_fuzzy_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """A form field is attacker input: each unknown value costs a fuzzy search over every
    name, so ten thousand comma-separated values would buy half a minute of CPU (measured
    without the limit); a megabyte of text is no name and is not searched. Counted, not
    timed: the fuzzy search must not run at all for these inputs."""
    searches: list[str] = []
    real_extract = matching.process.extract

    def counting_extract(query: str, *args: object, **kwargs: object) -> object:
        searches.append(query)
        return real_extract(query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(matching.process, "extract", counting_extract)
    result = languages().resolve("Arabsich" * 100_000)
    assert result.unknown and result.suggestions == ()
    with pytest.raises(TooManyValues):
        languages().resolve_many("Arabsich, " * 10_000)
    assert searches == []
    assert languages().resolve("Arabsisch").suggestions  # the counter does see a real search
    assert searches
    assert len(languages().resolve_many("Arabisch, " * 20)) == 1  # duplicates dropped


def test_empty_text_is_empty_not_unknown() -> None:
    for typed in ("", "   "):
        result = nationalities().resolve(typed)
        assert result.empty and not result.unknown and result.code is None


def test_a_name_of_two_countries_offers_both() -> None:
    result = nationalities().resolve("Kongo")
    assert not result.resolved and result.ambiguous
    assert [option.code for option in result.candidates] == ["COD", "COG"]


def test_names_are_shown_in_german_or_english() -> None:
    assert nationalities().name("SYR") == "Syrien"
    assert nationalities().name("SYR", "en") == "Syria"
    assert nationalities().name("XXA") == "staatenlos"
    assert nationalities().name("RKS", "en") == "Kosovo"
    assert nationalities().name("syr") == "Syrien"
    assert nationalities().name("QQQ") is None
    assert nationalities().label("QQQ") == "QQQ"


def test_country_options_follow_german_collation_and_end_with_the_special_codes() -> None:
    names = [option.name for option in nationalities().options("de")]
    assert names.index("Afghanistan") < names.index("Ägypten") < names.index("Albanien")
    assert names.index("Oman") < names.index("Österreich") < names.index("Pakistan")
    assert names[-2:] == ["staatenlos", "ungeklärt"]
    assert "XXA" not in {option.code for option in countries().options()}
    english = [option.name for option in nationalities().options("en")]
    assert english.index("Afghanistan") < english.index("Germany") < english.index("Syria")


def test_several_nationalities_in_one_field() -> None:
    results = nationalities().resolve_many("Syrien, Türkei; Korea, Republik / staatenlos, "
                                           "Syrien")
    assert [result.code for result in results] == ["SYR", "TUR", "KOR", "XXA"]
    inverted = nationalities().resolve_many("Iran, Islamische Republik, Syrien, Irak")
    assert [result.code for result in inverted] == ["IRN", "SYR", "IRQ"]
    unknown = nationalities().resolve_many("Syrien, Atlantis")
    assert [result.code for result in unknown] == ["SYR", None]
    assert nationalities().resolve_many(" , ;") == []


@pytest.mark.parametrize(("typed", "code"), [
    ("Arabisch", "ara"), ("arabic", "ara"), ("ARABISCH", "ara"),
    ("Farsi", "fas"), ("Persisch", "fas"), ("Persian", "fas"), ("Persisch (Farsi)", "fas"),
    ("Dari", "prs"), ("Paschtu", "pus"), ("Pashto", "pus"), ("Paschto", "pus"),
    ("Ukrainisch", "ukr"), ("Russisch", "rus"), ("Türkisch", "tur"), ("Tuerkisch", "tur"),
    ("Kurmandschi", "kmr"), ("Kurmanci", "kmr"), ("Kurdisch (Kurmandschi)", "kmr"),
    ("Sorani", "ckb"), ("Kurdisch (Sorani)", "ckb"), ("Zentralkurdisch", "ckb"),
    ("Tigrinya", "tir"), ("Tigrinja", "tir"), ("Somali", "som"), ("Englisch", "eng"),
    ("Französisch", "fra"), ("Albanisch", "sqi"), ("Serbisch", "srp"), ("Rumänisch", "ron"),
    ("Rumaenisch", "ron"), ("Bulgarisch", "bul"), ("Polnisch", "pol"), ("Georgisch", "kat"),
    ("Urdu", "urd"), ("Amharisch", "amh"), ("Deutsch", "deu"), ("German", "deu"),
    ("ara", "ara"), ("ARA", "ara"), ("prs", "prs"),
])
def test_language_typed_by_name_or_code_resolves_to_its_code(typed: str, code: str) -> None:
    assert languages().resolve(typed).code == code


def test_kurdish_offers_its_varieties() -> None:
    result = languages().resolve("Kurdisch")
    assert [option.code for option in result.candidates] == ["kmr", "ckb", "kur"]
    assert [option.name for option in result.candidates][:2] == [
        "Kurdisch (Kurmandschi)", "Kurdisch (Sorani)"]
    assert [option.code for option in languages().resolve("Kurdish", "en").candidates][:2] == [
        "kmr", "ckb"]


def test_a_code_that_is_also_a_name_offers_both() -> None:
    """``mon`` is Mongolian, "Mon" a language of Myanmar: typed as the code it is the code,
    typed as a name it is a choice."""
    assert languages().resolve("mon").code == "mon"
    assert {option.code for option in languages().resolve("Mon").candidates} == {"mon", "mnw"}


def test_language_typos_get_suggestions() -> None:
    assert languages().resolve("Arabsich").suggestions[0].code == "ara"
    assert languages().resolve("Ukrainish").suggestions[0].code == "ukr"


def test_no_slur_resolves_and_none_is_shown() -> None:
    assert not languages().resolve("Zigeunersprache").resolved
    assert languages().name("rom") == "Romanes"


def test_language_options_start_with_the_arrival_languages_then_german_order() -> None:
    options = languages().options("de")
    assert tuple(option.code for option in options[:len(ARRIVAL_LANGUAGES)]) == \
        ARRIVAL_LANGUAGES
    assert [option.name for option in options[:3]] == ["Ukrainisch", "Russisch", "Arabisch"]
    rest = [option.name for option in options[len(ARRIVAL_LANGUAGES):]]
    assert rest == sorted(rest, key=german_sort_key)
    assert len({option.code for option in options}) == len(options)


def test_several_languages_in_one_field() -> None:
    results = languages().resolve_many("Arabisch, Kurdisch (Sorani)")
    assert [result.code for result in results] == ["ara", "ckb"]
    mixed = languages().resolve_many("Farsi; Kurdisch\nDari")
    assert [result.code for result in mixed] == ["fas", None, "prs"]
    assert mixed[1].ambiguous


def test_no_two_options_look_alike() -> None:
    """Debian's German names give eight languages the name "Malaiisch": a clerk could not
    tell them apart, so each shows what it is, and the plain name means Malay."""
    for reference in (languages(), nationalities()):
        for lang in ("de", "en"):
            names = [option.name for option in reference.options(lang)]
            assert len(names) == len(set(names)), lang
    assert languages().name("bjn") == "Malaiisch (Banjar)"
    assert languages().resolve("Malaiisch").code == "msa"


def test_language_names_in_both_languages() -> None:
    assert languages().name("prs") == "Dari"
    assert languages().name("fas", "en") == "Persian (Farsi)"
    assert languages().name("tir") == "Tigrinya"
    assert languages().name("xyz") is None


def test_only_living_languages_are_listed() -> None:
    assert "lat" not in languages()  # Latin: historical
    assert "epo" not in languages()  # Esperanto: constructed
    assert "ara" in languages() and "kur" in languages()  # macrolanguages
    assert 6500 < len(languages().codes) < 8000


def test_the_names_chosen_here_are_in_the_catalogue_in_both_languages() -> None:
    """Names shown that are not ISO's live in reference.po (de and en), like every page
    text; each one the code asks for is there, and none is left over."""
    catalogue = package_catalogue("ankommen.shared.reference")
    assert all(set(texts) == {"de", "en"} for texts in catalogue.values())
    used = {*(f"reference.language.{code}" for code in NAMED_HERE),
            *(f"reference.country.{code}" for code in ("RKS", "XXA", "XXX")),
            "reference.municipality.unincorporated", "reference.municipality.district"}
    assert set(catalogue) == used


def test_folding_and_german_collation() -> None:
    assert fold("Türkei") == fold("Tuerkei") == fold("TÜRKEI") == "tuerkei"
    assert fold("Côte d’Ivoire") == "cote d ivoire"
    assert fold("Straße") == fold("STRASSE")
    assert sorted(["Zypern", "Ägypten", "Albanien", "Afghanistan"], key=german_sort_key) == [
        "Afghanistan", "Ägypten", "Albanien", "Zypern"]


def test_every_country_code_the_lists_return_is_accepted_by_intake() -> None:
    country_code = TypeAdapter(CountryCode)
    for code in nationalities().codes | countries().codes:
        assert is_country_code(country_code.validate_python(code)), code


def test_every_language_code_the_list_returns_fits_the_contract() -> None:
    language_code = TypeAdapter(LanguageCode)
    for code in languages().codes:
        assert language_code.validate_python(code) == code
