"""Disclosure control as pure rules: minimum count, Cell Key Method noise, distributions,
secondary suppression."""

from __future__ import annotations

import secrets
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from ankommen.monitoring.domain.cells import KEY_MODULUS, Tally, record_key_value
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Protection, Published

POLICY = DisclosurePolicy()
cell_keys = st.integers(0, KEY_MODULUS - 1)


@given(n=st.integers(0, 10_000), cell_key=cell_keys)
def test_no_published_count_is_between_one_and_four(n, cell_key):
    published = POLICY.count(Tally(n, cell_key))
    assert published.value is None or published.value == 0 or published.value >= 5


@given(n=st.integers(1, 4), cell_key=cell_keys)
def test_small_counts_are_protected_whatever_their_cell_key(n, cell_key):
    assert POLICY.count(Tally(n, cell_key)) == Published(None, Protection.SMALL_COUNT)


@given(cell_key=cell_keys)
def test_a_zero_is_published_exactly_like_a_small_count(cell_key):
    # Group disclosure: a zero beside one populated category tells everybody's attribute.
    assert POLICY.count(Tally(0, cell_key)) == Published(None, Protection.SMALL_COUNT)
    assert DisclosurePolicy(protect_zeros=False).count(Tally(0, cell_key)) == Published(0)


@given(n=st.integers(5, 10_000), cell_key=cell_keys, deviation=st.integers(0, 4))
def test_noise_never_exceeds_the_maximum_deviation(n, cell_key, deviation):
    policy = DisclosurePolicy(max_deviation=deviation)
    assert abs(policy.count(Tally(n, cell_key)).value - n) <= deviation


@given(n=st.integers(5, 500), cell_key=cell_keys)
def test_the_same_cell_always_gets_the_same_value(n, cell_key):
    assert POLICY.count(Tally(n, cell_key)) == POLICY.count(Tally(n, cell_key))


def test_noise_uses_the_whole_range_and_is_unbiased_away_from_the_minimum():
    row = POLICY.noise_distribution(50)
    assert [noise for noise, _ in row] == [-2, -1, 0, 1, 2]
    assert sum(noise * weight for noise, weight in row) == 0
    keys = [record_key_value(secrets.token_hex(16)) for _ in range(3000)]
    noises = Counter(POLICY.noise(50, key) for key in keys)
    assert set(noises) == {-2, -1, 0, 1, 2}
    assert noises[0] > noises[2]


def test_cell_key_is_the_sum_of_record_keys_modulo_two_to_the_32():
    keys = [secrets.token_hex(16) for _ in range(7)]
    tally = Tally()
    for key in keys:
        tally.add(1, record_key_value(key))
    assert tally.cell_key == sum(int(key, 16) for key in keys) % 2 ** 32


def test_medians_and_percentiles_only_from_ten_facts_in_whole_weeks():
    nine = Tally(9, 0, {weeks: 1 for weeks in range(1, 10)})
    assert POLICY.percentile_weeks(nine, 50) == Published(
        None, Protection.TOO_FEW_FOR_DISTRIBUTION)
    ten = Tally(10, 0, {0: 2, 2: 3, 4: 1, 6: 2, 9: 2})  # values are whole weeks
    assert POLICY.percentile_weeks(ten, 50) == Published(2)  # nearest rank 5 of 10
    assert POLICY.percentile_weeks(ten, 90) == Published(9)  # nearest rank 9 of 10


def test_a_lone_small_cell_takes_its_smallest_sibling_into_protection():
    tallies = [Tally(3, 11), Tally(40, 12), Tally(9, 13)]
    total = POLICY.count(Tally(52, 36))
    published = POLICY.breakdown(tallies, total)
    assert [cell.protection for cell in published] == [
        Protection.SMALL_COUNT, None, Protection.SECONDARY]
    # A lone zero is a small count like any other, so it needs a sibling hidden too.
    zero = POLICY.breakdown([Tally(0, 0), Tally(40, 12), Tally(9, 13)],
                            POLICY.count(Tally(49, 25)))
    assert [cell.protection for cell in zero] == [
        Protection.SMALL_COUNT, None, Protection.SECONDARY]


def test_two_small_cells_need_no_secondary_suppression():
    tallies = [Tally(3, 11), Tally(2, 12), Tally(9, 13)]
    published = POLICY.breakdown(tallies, POLICY.count(Tally(14, 36)))
    assert [cell.protection for cell in published] == [
        Protection.SMALL_COUNT, Protection.SMALL_COUNT, None]
