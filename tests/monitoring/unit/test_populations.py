"""Which tables are answered: the population threshold and the complement rule (R3), and
protected zeros in answered tables (R4)."""

from __future__ import annotations

from datetime import UTC, datetime

from ankommen.monitoring.domain.catalogue import BY_KEY
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Protection
from ankommen.monitoring.domain.periods import Period
from ankommen.monitoring.domain.populations import Population, answer
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.monitoring.domain.tables import Query, RawCell

POLICY = DisclosurePolicy()
RULES = PublicationRules()
NOW = datetime(2027, 2, 1, tzinfo=UTC)  # every period of 2026 is closed
COUNTY = ("03351", "03358")


def arrivals(month: str, district: str, n: int, level: str = "A1") -> RawCell:
    return RawCell(month, district, {"german_level": level, "gender": "female"}, n, 7 * n)


def table(key: str, period: str, district: str | None, cells: list[RawCell],
          rules: PublicationRules = RULES):  # noqa: ANN201
    return answer(Query(BY_KEY[key], Period.parse(period), district, COUNTY), cells, POLICY,
                  rules, NOW)


def test_a_population_below_the_threshold_is_not_answered():
    small = [arrivals("2026-03", "03351", 19)]
    published = table("arrivals-german_level", "2026-03", None, small)
    assert not published.answered
    assert {row.count.protection for row in [*published.rows, published.total]} == {
        Protection.SMALL_POPULATION}
    assert all(row.count.value is None for row in published.rows)
    assert table("arrivals-german_level", "2026-03", None,
                 [arrivals("2026-03", "03351", 20)]).answered


def test_nested_populations_differ_by_zero_or_a_whole_population():
    # The county has 45 in March, district 03351 has 44 of them: the district's table and the
    # county's differ by one person — subtracting one from the other would show his level.
    cells = [arrivals("2026-03", "03351", 44), arrivals("2026-03", "03358", 1, "C2")]
    assert table("arrivals-german_level", "2026-03", None, cells).answered
    district = table("arrivals-german_level", "2026-03", "03351", cells)
    assert not district.answered
    # Without the complement rule (the attack's baseline), both would be answered.
    assert table("arrivals-german_level", "2026-03", "03351", cells,
                 PublicationRules(complement=False)).answered
    # Same facts (difference 0) or a whole population apart: answered.
    assert table("arrivals-german_level", "2026-03", "03351",
                 [arrivals("2026-03", "03351", 44)]).answered
    assert table("arrivals-german_level", "2026-03", "03351",
                 [*cells, arrivals("2026-03", "03358", 19)]).answered


def test_a_month_yields_to_its_quarter_and_year():
    # The quarter has one arrival more than March: March is not answered; the quarter is.
    cells = [arrivals("2026-03", "03351", 30), arrivals("2026-01", "03351", 1)]
    assert table("arrivals-german_level", "2026-Q1", None, cells).answered
    assert not table("arrivals-german_level", "2026-03", None, cells).answered


def test_a_district_a_few_short_of_its_county_is_not_answered():
    # 20 in the district, 5 elsewhere: the county's table minus the district's would be a
    # table of 5 people.
    cells = [arrivals("2026-03", "03351", 20), arrivals("2026-03", "03358", 5)]
    county = table("arrivals-german_level", "2026-03", None, cells)
    assert county.answered  # 25
    assert not table("arrivals-german_level", "2026-03", "03351", cells).answered  # 25 - 20
    assert Population(BY_KEY["arrivals-gender"].measure, Period.parse("2026-03"), "03351",
                      frozenset()).coarser()  # county, quarter, year …


def test_filters_nest_too():
    # First placements are a subset of all placements: 30 placements, 29 of them first.
    def placement(kind: str, n: int) -> RawCell:
        return RawCell("2026-03", "03351", {"placement": kind, "within_6_weeks": "yes",
                                            "course_type": "literacy"}, n, n, {3: n})

    cells = [placement("first", 29), placement("next_course", 1)]
    assert table("placements-course_type", "2026-03", None, cells).answered
    assert not table("placements-within_6_weeks", "2026-03", None, cells).answered


def test_zeros_in_an_answered_table_look_like_small_counts():
    published = table("arrivals-german_level", "2026-03", None,
                      [arrivals("2026-03", "03351", 25)])
    assert published.answered
    rows = {row.label: row.count for row in published.rows}
    assert rows["A1"].value is not None
    # Every other level is a true zero, published exactly like 1 … 4 (group disclosure).
    assert {rows[label].protection for label in rows if label != "A1"} == {
        Protection.SMALL_COUNT}
    off = table("arrivals-german_level", "2026-03", None, [arrivals("2026-03", "03351", 25)],
                PublicationRules(protect_zeros=False))
    assert {row.count.value for row in off.rows if row.label != "A1"} == {0}


def test_by_district_lists_every_district_of_the_county():
    published = table("arrivals-district", "2026-Q1", None,
                      [arrivals("2026-03", "03351", 25)])
    assert [row.label for row in published.rows] == list(COUNTY)
    assert published.rows[1].count.protection is Protection.SMALL_COUNT


def test_an_open_period_is_never_answered():
    cells = [arrivals("2027-01", "03351", 50)]
    assert not table("arrivals-german_level", "2027-01", None, cells).answered
