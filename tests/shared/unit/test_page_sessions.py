"""Sign-in through the identity provider, the parts without a provider: which claims make
which principal, and when a page session ends (idle, absolute, revoked) by a moved clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ankommen.shared.clock import MovableClock
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.web.oidc import ClaimMapping, UnknownGroup
from ankommen.shared.web.sessions import MemorySessionStore, PendingSignIns

MAPPING = ClaimMapping(roles={"ankommen-koordination": Role.COORDINATOR,
                              "ankommen-traeger": Role.PROVIDER,
                              "ankommen-intake": Role.INTAKE_STAFF})
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_a_mapped_group_makes_the_role_and_other_groups_do_not_matter():
    principal = MAPPING.principal({"sub": "k1", "groups": ["kantine", "ankommen-koordination"]})
    assert principal == Principal(subject="k1", role=Role.COORDINATOR)


def test_a_provider_gets_its_provider_id_from_the_claim_and_must_have_one():
    assert MAPPING.principal({"sub": "t1", "groups": ["ankommen-traeger"],
                              "provider_id": "vhs"}).provider_id == "vhs"
    with pytest.raises(UnknownGroup):
        MAPPING.principal({"sub": "t1", "groups": ["ankommen-traeger"]})


def test_a_non_provider_ignores_a_provider_id_claim():
    assert MAPPING.principal({"sub": "k1", "groups": "ankommen-koordination",
                              "provider_id": "vhs"}).provider_id is None


@pytest.mark.parametrize("groups", [[], ["kantine"], None, 7,
                                    ["ankommen-intake", "ankommen-koordination"]])
def test_no_single_mapped_role_is_refused(groups):
    with pytest.raises(UnknownGroup):
        MAPPING.principal({"sub": "x", "groups": groups})


def test_a_custom_role_claim():
    mapping = ClaimMapping(roles={"Koordination": Role.COORDINATOR}, role_claim="roles")
    assert mapping.principal({"sub": "k", "roles": ["Koordination"]}).role is Role.COORDINATOR


def store(clock: MovableClock) -> MemorySessionStore:
    return MemorySessionStore(clock, idle=timedelta(minutes=30), absolute=timedelta(hours=8))


def test_a_session_ends_after_the_idle_timeout_and_use_renews_it():
    clock = MovableClock(START)
    sessions = store(clock)
    session_id = sessions.open(Principal("k1", Role.COORDINATOR))
    clock.advance(timedelta(minutes=29))
    assert sessions.use(session_id).principal.subject == "k1"
    clock.advance(timedelta(minutes=29))  # 58 minutes in, 29 since the last use
    assert sessions.use(session_id) is not None
    clock.advance(timedelta(minutes=30))
    assert sessions.use(session_id) is None
    assert sessions.use(session_id) is None  # forgotten, not revived


def test_a_session_ends_after_the_absolute_timeout_however_busy():
    clock = MovableClock(START)
    sessions = store(clock)
    session_id = sessions.open(Principal("k1", Role.COORDINATOR))
    for _ in range(8 * 4 - 1):
        clock.advance(timedelta(minutes=15))
        assert sessions.use(session_id) is not None
    clock.advance(timedelta(minutes=15))
    assert sessions.use(session_id) is None


def test_sign_out_revokes_and_ids_are_random_and_not_kept_in_clear():
    clock = MovableClock(START)
    sessions = store(clock)
    first = sessions.open(Principal("k1", Role.COORDINATOR))
    second = sessions.open(Principal("k1", Role.COORDINATOR))
    assert first != second and len(first) >= 43
    assert first not in sessions._sessions  # only digests are kept
    assert sessions.revoke(first) is not None
    assert sessions.use(first) is None
    assert sessions.use(second) is not None
    assert sessions.use("guessed") is None


def test_timeouts_must_make_sense():
    with pytest.raises(ValueError):
        MemorySessionStore(MovableClock(START), idle=timedelta(hours=2),
                           absolute=timedelta(hours=1))


def test_a_pending_sign_in_is_taken_once_and_expires():
    clock = MovableClock(START)
    pending = PendingSignIns(clock)
    pending.keep("s1", "flow-1")
    pending.keep("s2", "flow-2")
    assert pending.take("s1") == "flow-1"
    assert pending.take("s1") is None
    clock.advance(timedelta(minutes=11))
    assert pending.take("s2") is None
