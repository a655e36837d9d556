"""The county's municipalities by name (ankommen.shared.reference.municipalities): official
keys from the shipped directory or the county's own file, former keys still shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import TypeAdapter

from ankommen.intake.config import IntakeSettings
from ankommen.shared.events.contracts.vocabulary import RegionKey
from ankommen.shared.reference import DirectoryError, municipalities
from ankommen.shared.reference.municipalities import SHIPPED_DISTRICTS, shipped_rows
from ankommen.shared.settings import DEVELOPMENT_COUNTY_DISTRICTS
from ankommen.tools.synthetic.county import COURSE_TOWNS, DISTRICT_KEY, MUNICIPALITIES, PROVIDERS

HEIDEKREIS = municipalities({"03358"})


@pytest.mark.parametrize(("typed", "key"), [
    ("Soltau", "03358021"), ("soltau", "03358021"), ("SOLTAU", "03358021"),
    ("Walsrode", "03358024"), ("Bad Fallingbostel", "03358008"),
    ("Fallingbostel", "03358008"), ("Munster", "03358016"), ("Schneverdingen", "03358019"),
    ("Häuslingen", "03358013"), ("Haeuslingen", "03358013"), ("Hauslingen", "03358013"),
    ("Rethem (Aller)", "03358018"), ("Rethem", "03358018"), ("Böhme", "03358003"),
    ("Osterheide", "03358501"), ("03358021", "03358021"), (" 03358021 ", "03358021"),
    ("Landkreis Heidekreis", "03358"),
])
def test_municipality_typed_by_name_or_key_resolves_to_its_key(typed: str, key: str) -> None:
    assert HEIDEKREIS.resolve(typed).code == key


def test_a_merged_municipality_still_shows_and_resolves_to_its_successor() -> None:
    """Bomlitz and the old Walsrode became the new Walsrode (1 January 2020)."""
    assert HEIDEKREIS.name("03358022") == "Walsrode"
    assert HEIDEKREIS.name("03358004") == "Bomlitz"
    assert HEIDEKREIS.resolve("03358022").code == "03358024"
    assert HEIDEKREIS.resolve("Bomlitz").code == "03358024"
    offered = {option.code for option in HEIDEKREIS.options()}
    assert "03358024" in offered and not {"03358004", "03358022"} & offered


def test_a_municipality_of_another_county_is_not_offered() -> None:
    assert not HEIDEKREIS.resolve("Celle").resolved
    assert HEIDEKREIS.name("03351006") is None
    assert not HEIDEKREIS.resolve("03351006").resolved
    assert HEIDEKREIS.resolve("Münster").code is None  # Westphalia's, not the Heidekreis'
    assert HEIDEKREIS.resolve("Soltua").suggestions[0].code == "03358021"


def test_options_list_the_municipalities_by_name_then_the_district() -> None:
    names = [option.name for option in HEIDEKREIS.options()]
    assert names[:3] == ["Ahlden (Aller)", "Bad Fallingbostel", "Bispingen"]
    assert names.index("Häuslingen") < names.index("Hodenhagen")
    assert "Osterheide (gemeindefreier Bezirk)" in names
    assert names[-1] == "Landkreis Heidekreis (Gemeinde nicht bekannt)"
    assert len(names) == 22 + 1 + 1  # municipalities, Osterheide, the district
    assert HEIDEKREIS.name("03358501", "en") == "Osterheide (unincorporated area)"


def test_a_county_of_several_districts_gets_all_of_them() -> None:
    both = municipalities(["03358", "03351"])
    assert both.resolve("Celle").code == "03351006"
    assert both.resolve("Soltau").code == "03358021"
    assert both.resolve("Lohheide").code == "03351501"


def test_an_unknown_district_fails_naming_the_setting() -> None:
    with pytest.raises(DirectoryError, match="ANKOMMEN_MUNICIPALITY_DIRECTORY_FILE"):
        municipalities({"03359"})


def test_a_county_brings_its_own_directory(tmp_path: Path) -> None:
    directory = tmp_path / "gemeinden.csv"
    directory.write_text("ags,name\n03359,Landkreis Stade\n03359038,Stade\n03359010,Buxtehude\n"
                         "03359028,Jork\n09162000,München\n", encoding="utf-8")
    stade = municipalities({"03359"}, directory)
    assert stade.resolve("Buxtehude").code == "03359010"
    assert stade.resolve("München").code is None  # outside the county: ignored
    assert [option.name for option in stade.options()] == [
        "Buxtehude", "Jork", "Stade", "Landkreis Stade (Gemeinde nicht bekannt)"]


def test_two_municipalities_of_one_name_are_told_apart(tmp_path: Path) -> None:
    directory = tmp_path / "verband.csv"
    directory.write_text("ags,name\n03358017,Neuenkirchen\n03359033,Neuenkirchen\n",
                         encoding="utf-8")
    county = municipalities({"03358", "03359"}, directory)
    assert [option.name for option in county.options()][-2:] == [
        "Neuenkirchen (03358017)", "Neuenkirchen (03359033)"]
    assert [option.code for option in county.resolve("Neuenkirchen").candidates] == [
        "03358017", "03359033"]


def test_the_county_directory_replaces_the_shipped_rows_of_its_districts(tmp_path: Path
                                                                         ) -> None:
    directory = tmp_path / "heidekreis.csv"
    directory.write_text("ags,name\n03358021,Soltau (Stadt)\n", encoding="utf-8")
    assert municipalities({"03358"}, directory).resolve("Soltau (Stadt)").code == "03358021"
    assert [option.code for option in municipalities({"03358"}, directory).options()] == [
        "03358021"]


@pytest.mark.parametrize(("content", "reason"), [
    ("name\nSoltau\n", "header row"),
    ("ags,name\n3358021,Soltau\n", "not an 8-digit"),
    ("ags,name\n03358021,\n", "name must be"),
    ("ags,name\n03358021,Sol\u202etau\n", "control or direction"),
    ("ags,name\n03358021,Soltau\x00\n", "control or direction"),
    ("ags,name\n03358021," + "S" * 101 + "\n", "name must be"),
    ("ags,name,kind\n03358021,Soltau,district\n", "kind"),
    ("ags,name\n03358021,Soltau\n03358021,Walsrode\n", "listed twice"),
    ("ags,name,replaced_by\n03358022,Walsrode,03358099\n03358021,Soltau,\n", "replaced by"),
])
def test_a_broken_county_directory_is_refused(tmp_path: Path, content: str, reason: str
                                              ) -> None:
    """The file comes from outside ankommen: names reach every page, so a name with a
    direction override (shown as another name) or a control character is refused at start."""
    directory = tmp_path / "broken.csv"
    directory.write_text(content, encoding="utf-8")
    with pytest.raises(DirectoryError, match=reason):
        municipalities({"03358"}, directory)


def test_settings_name_the_directory_file(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "stade.csv"
    directory.write_text("ags,name\n03359038,Stade\n", encoding="utf-8")
    monkeypatch.setenv("ANKOMMEN_COUNTY_DISTRICTS", "03359")
    monkeypatch.setenv("ANKOMMEN_MUNICIPALITY_DIRECTORY_FILE", str(directory))
    assert IntakeSettings().municipalities().resolve("Stade").code == "03359038"


def test_the_development_county_is_shipped() -> None:
    assert {DEVELOPMENT_COUNTY_DISTRICTS, DISTRICT_KEY} <= SHIPPED_DISTRICTS


def test_every_key_the_synthetic_county_uses_is_current_with_its_name() -> None:
    for municipality in MUNICIPALITIES:
        assert HEIDEKREIS.resolve(municipality.key).code == municipality.key
        assert HEIDEKREIS.name(municipality.key) == municipality.name
    for key in (*COURSE_TOWNS, *(town for provider in PROVIDERS for town in provider.towns)):
        assert HEIDEKREIS.resolve(key).code == key, key


def test_every_key_the_tests_use_is_in_the_directory() -> None:
    used = {"03358001", "03358021", "03358022", "03358023", "03358024", "03351001"}
    both = municipalities({"03358", "03351"})
    assert used <= both.codes


def test_every_shipped_key_fits_the_contract() -> None:
    region_key = TypeAdapter(RegionKey)
    for row in shipped_rows():
        assert region_key.validate_python(row.ags) == row.ags
