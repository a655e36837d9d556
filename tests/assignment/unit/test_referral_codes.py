"""Referral codes: readable alphabet, a check character that catches typing mistakes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from ankommen.assignment.domain.referral import (
    ALPHABET,
    is_valid_referral_code,
    new_referral_code,
    normalised_referral_code,
)
from ankommen.shared.events.contracts.vocabulary import ReferralCode

CONTRACT = TypeAdapter(ReferralCode)


def test_codes_avoid_look_alike_characters_and_fit_the_contract():
    codes = {new_referral_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert not set(code) & set("01OI")
        assert is_valid_referral_code(code)
        assert CONTRACT.validate_python(code) == code


@given(st.data())
def test_any_single_mistyped_character_is_detected(data):
    code = new_referral_code()
    positions = [i for i, char in enumerate(code) if char != "-"]
    position = data.draw(st.sampled_from(positions))
    wrong = data.draw(st.sampled_from([c for c in ALPHABET if c != code[position]]))
    assert not is_valid_referral_code(code[:position] + wrong + code[position + 1:])


def test_lower_case_entry_is_accepted_and_garbage_is_not():
    code = new_referral_code()
    assert is_valid_referral_code(code.lower())
    assert not is_valid_referral_code("ABCD")
    assert not is_valid_referral_code("0000-0000-0")


def test_code_typed_from_paper_is_normalised_before_checking():
    code = new_referral_code()
    for typed in (code.lower(), code.replace("-", ""), " ".join(code.replace("-", ""))):
        assert normalised_referral_code(typed) == code
    assert not is_valid_referral_code(normalised_referral_code(code[:-1]))
