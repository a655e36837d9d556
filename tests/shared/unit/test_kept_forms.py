"""Forms kept across a sign-in (issue 20): handed back once, only to their page, only within
their lifetime by the injected clock, bounded in number, and unreadable without the cookie."""

from __future__ import annotations

from datetime import timedelta

from ankommen.shared.clock import MovableClock
from ankommen.shared.web.kept_forms import KeptForms

FIELDS = {"family_name": "Hamadi", "goals[]": ["work", "university"]}


def test_a_kept_form_comes_back_once_and_only_to_its_page():
    forms = KeptForms(MovableClock())
    form_id = forms.keep("/", FIELDS)
    assert forms.take(form_id, "/ui/cases") is None  # another page: it stays for its own
    assert forms.take(form_id, "/") == FIELDS
    assert forms.take(form_id, "/") is None
    assert forms.take("made-up", "/") is None


def test_a_kept_form_expires_by_the_clock_and_their_number_is_bounded():
    clock = MovableClock()
    forms = KeptForms(clock, lifetime=timedelta(minutes=15), max_forms=3)
    old = forms.keep("/", FIELDS)
    clock.advance(timedelta(minutes=15))
    assert forms.take(old, "/") is None
    ids = [forms.keep("/", {"n": str(number)}) for number in range(5)]
    assert len(forms) == 3
    assert forms.take(ids[0], "/") is None and forms.take(ids[-1], "/") == {"n": "4"}
    assert KeptForms(clock, max_bytes=100).keep("/", {"essay": "x" * 200}) is None


def test_what_is_kept_is_encrypted_under_a_digest_of_the_cookie():
    forms = KeptForms(MovableClock())
    form_id = forms.keep("/", FIELDS)
    stored = repr(forms._forms)
    assert "Hamadi" not in stored and form_id not in stored
