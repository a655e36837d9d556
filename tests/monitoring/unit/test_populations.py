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


def test_a_month_once_published_is_never_taken_back_by_its_quarter_or_year():
    # February (30 arrivals) is published when it closes, a month before its quarter; the
    # quarter and the year are one person (in January) more than February, so they yield.
    cells = [arrivals("2026-02", "03351", 30), arrivals("2026-01", "03351", 1)]
    february_closed = datetime(2026, 3, 10, tzinfo=UTC)
    for now in (february_closed, NOW):
        assert answer(Query(BY_KEY["arrivals-german_level"], Period.parse("2026-02"), None,
                            COUNTY), cells, POLICY, RULES, now).answered
    assert not table("arrivals-german_level", "2026-Q1", None, cells).answered
    assert not table("arrivals-german_level", "2026", None, cells).answered
    # With 20 more in March the quarter is a whole population more than February: answered.
    more = [*cells, arrivals("2026-03", "03351", 20)]
    assert table("arrivals-german_level", "2026-Q1", None, more).answered
    assert table("arrivals-german_level", "2026-02", None, more).answered


def test_a_district_a_few_short_of_its_county_is_not_answered():
    # 20 in the district, 5 elsewhere: the county's table minus the district's would be a
    # table of 5 people.
    cells = [arrivals("2026-03", "03351", 20), arrivals("2026-03", "03358", 5)]
    county = table("arrivals-german_level", "2026-03", None, cells)
    assert county.answered  # 25
    assert not table("arrivals-german_level", "2026-03", "03351", cells).answered  # 25 - 20
    earlier = Population(BY_KEY["arrivals-gender"].measure, Period.parse("2026-03"), "03351",
                         frozenset()).decided_before(COUNTY)
    assert {(str(population.period), population.district) for population in earlier} == {
        ("2026-03", None)}  # the county's March; its quarter and year come later


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


def test_a_county_quarter_yields_to_a_published_district_month_whatever_the_query_knows():
    # 03351 has 30 in February (published when February closes); the county's quarter has one
    # person more (in 03358): it yields, even when asked without the list of districts.
    cells = [arrivals("2026-02", "03351", 30), arrivals("2026-01", "03358", 1)]
    assert table("arrivals-german_level", "2026-02", "03351", cells).answered
    for county in (COUNTY, ()):
        assert not answer(Query(BY_KEY["arrivals-german_level"], Period.parse("2026-Q1"),
                                None, county), cells, POLICY, RULES, NOW).answered
