"""The attacker engine of issue 15 on tiny synthetic publications: it infers what the numbers
give away, and nothing that they do not (so that "infers nothing" in the attack tests means
something)."""

from __future__ import annotations

from tests.monitoring.attacker import Attack, Cell, Method, Observation, Person

MONTH, DISTRICT = "2026-10", "03351"
GENDER = ("female", "male", "diverse")
DIMENSIONS = {"gender": GENDER, "needs_childcare": ("yes", "no")}
PERSON = Person(MONTH, DISTRICT)
RULES_OFF = Method(min_population=0, zeros_protected=False)
RULES_ON = Method()


def cell(dimension: str | None = None, value: str | None = None, months=(MONTH,)) -> Cell:
    return Cell(frozenset(months), frozenset({DISTRICT}), dimension, value)


def gender_table(world, counts: dict[str, tuple[int | None, str | None]],
                 total: tuple[int | None, str | None]) -> list[Observation]:
    return [*(Observation(world, cell("gender", value), *counts[value]) for value in GENDER),
            Observation(world, cell(), *total)]


def attack(method: Method, observations: list[Observation]) -> Attack:
    return Attack(method, DIMENSIONS, [MONTH], [DISTRICT], observations, PERSON)


def test_a_zero_that_turns_into_a_protected_count_gives_the_person_away():
    before = gender_table("before", {"female": (7, None), "male": (0, None),
                                     "diverse": (0, None)}, (7, None))
    after = gender_table("after", {"female": (7, None), "male": (0, None),
                                   "diverse": (None, "small_count")}, (8, None))
    found = attack(RULES_OFF, before + after)
    assert found.consistent()
    assert found.inferred() == {"gender": "diverse"}


def test_protected_zeros_leave_every_small_value_possible():
    small = (None, "small_count")
    before = gender_table("before", {"female": (7, None), "male": small, "diverse": small},
                          (7, None))
    after = gender_table("after", {"female": (7, None), "male": small, "diverse": small},
                         (8, None))
    assert attack(RULES_ON, before + after).inferred() == {}


def test_a_cell_published_with_two_values_contains_the_person():
    before = gender_table("before", {"female": (10, None), "male": (7, None),
                                     "diverse": (0, None)}, (17, None))
    after = gender_table("after", {"female": (11, None), "male": (7, None),
                                   "diverse": (0, None)}, (18, None))
    assert attack(RULES_OFF, before + after).possible_values("gender") == ["female"]


def test_a_suppressed_population_says_only_that_it_is_small():
    suppressed = (None, "small_population")
    after = [Observation("after", cell("gender", value), *suppressed, table_total=cell())
             for value in GENDER]
    found = attack(RULES_ON, after)
    assert found.inferred() == {}


def test_nested_cells_with_different_values_differ_by_somebody():
    quarter = ("2026-10", "2026-11", "2026-12")
    observations = [Observation("before", cell(), 6, None),
                    Observation("before", cell(months=quarter), 9, None),
                    Observation("before", cell(months=("2026-11", "2026-12")), 0, None)]
    found = Attack(RULES_OFF, DIMENSIONS, quarter, [DISTRICT], observations)
    # 6 and 9 differ: the quarter holds more than the month, but the other months hold nobody.
    assert not found.consistent()


def test_a_single_snapshot_with_exact_zeros_gives_a_whole_district_away():
    snapshot = gender_table("before", {"female": (7, None), "male": (0, None),
                                       "diverse": (0, None)}, (7, None))
    assert Attack(RULES_OFF, DIMENSIONS, [MONTH], [DISTRICT], snapshot).shared_values(
        [MONTH], DISTRICT) == {"gender": "female"}


def test_a_single_snapshot_with_protected_zeros_gives_nothing_away():
    small = (None, "small_count")
    snapshot = gender_table("before", {"female": (7, None), "male": small, "diverse": small},
                            (7, None))
    assert Attack(RULES_ON, DIMENSIONS, [MONTH], [DISTRICT], snapshot).shared_values(
        [MONTH], DISTRICT) == {}
