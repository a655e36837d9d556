"""Server-side sessions for the pages (issue 20, item 2).

The browser's cookie carries only a random session id (256 bits); who is signed in, since when
stay here. A session ends after ``idle`` without use or after
``absolute`` in any case, whichever comes first; each use renews the idle deadline; signing out
revokes it at once. The clock is injected, so tests move time instead of waiting.

Where the sessions live: in the service process (:class:`MemorySessionStore`). Each service
runs as one process today (``make run``, one container per service in compose), so a restart
signs people out — with single sign-on at the identity provider that costs one redirect, not a
password. The store is a small protocol so that a database-backed store (one table per
service, for several replicas) can replace it without touching the pages.

The session ids are kept only as SHA-256 digests: a memory dump or a future database table
does not hand out live cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from ankommen.shared.clock import Clock
from ankommen.shared.identity.auth import Principal


@dataclass(frozen=True)
class PageSession:
    principal: Principal
    created_at: datetime
    last_used_at: datetime
    #: The provider's name for the person: for the audit log, never shown in URLs or logs.
    name: str | None = None
    #: The person's access token from the provider (audience: our APIs), relayed when a page
    #: asks another service on the person's behalf (progress asks intake for names); it stays
    #: here, never in the browser.
    access_token: str | None = field(default=None, repr=False)
    #: When the person last entered their password at the provider (by this service's clock;
    #: ``None``: not known), for re-authentication before sensitive actions.
    authenticated_at: datetime | None = None
    #: Actions re-authenticated for once per session (e.g. viewing identity for a purpose).
    confirmed: frozenset[str] = frozenset()


class SessionStore(Protocol):
    def open(self, principal: Principal, *, name: str | None = None,
             access_token: str | None = None,
             authenticated_at: datetime | None = None,
             confirmed: frozenset[str] = frozenset()) -> str: ...

    def use(self, session_id: str) -> PageSession | None: ...

    def confirm(self, session_id: str, action: str) -> None: ...

    def revoke(self, session_id: str) -> PageSession | None: ...


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class MemorySessionStore:
    """Sessions in the service process, expiring by ``clock``."""

    def __init__(self, clock: Clock, *, idle: timedelta, absolute: timedelta,
                 max_sessions: int = 10_000) -> None:
        if idle <= timedelta(0) or absolute < idle:
            raise ValueError("sessions need a positive idle timeout no longer than the absolute")
        self._clock = clock
        self.idle = idle
        self.absolute = absolute
        self._max = max_sessions
        self._sessions: dict[str, PageSession] = {}

    def open(self, principal: Principal, *, name: str | None = None,
             access_token: str | None = None,
             authenticated_at: datetime | None = None,
             confirmed: frozenset[str] = frozenset()) -> str:
        """A new session; its id is what the cookie carries."""
        now = self._clock.now()
        if len(self._sessions) >= self._max:
            self._forget_expired(now)
            if len(self._sessions) >= self._max:
                # The oldest goes: a flood of sign-ins must not exhaust the memory.
                oldest = min(self._sessions, key=lambda key: self._sessions[key].created_at)
                del self._sessions[oldest]
        session_id = secrets.token_urlsafe(32)
        self._sessions[_digest(session_id)] = PageSession(
            principal=principal, created_at=now, last_used_at=now, name=name,
            access_token=access_token, authenticated_at=authenticated_at,
            confirmed=confirmed)
        return session_id

    def use(self, session_id: str) -> PageSession | None:
        """The live session with this id, renewed; ``None`` when unknown, expired or revoked."""
        key = _digest(session_id)
        session = self._sessions.get(key)
        if session is None:
            return None
        now = self._clock.now()
        if self._expired(session, now):
            del self._sessions[key]
            return None
        renewed = replace(session, last_used_at=now)
        self._sessions[key] = renewed
        return renewed

    def confirm(self, session_id: str, action: str) -> None:
        """Remember that this session re-authenticated for ``action``."""
        key = _digest(session_id)
        session = self._sessions.get(key)
        if session is not None:
            self._sessions[key] = replace(session, confirmed=session.confirmed | {action})

    def revoke(self, session_id: str) -> PageSession | None:
        return self._sessions.pop(_digest(session_id), None)

    def _expired(self, session: PageSession, now: datetime) -> bool:
        return now >= session.last_used_at + self.idle or \
            now >= session.created_at + self.absolute

    def _forget_expired(self, now: datetime) -> None:
        for key in [key for key, session in self._sessions.items()
                    if self._expired(session, now)]:
            del self._sessions[key]


class PendingSignIns:
    """The OIDC flows under way (state → what the callback needs), each for ten minutes and
    used once: a replayed callback finds nothing."""

    def __init__(self, clock: Clock, *, lifetime: timedelta = timedelta(minutes=10),
                 max_pending: int = 10_000) -> None:
        self._clock = clock
        self._lifetime = lifetime
        self._max = max_pending
        self._pending: dict[str, tuple[datetime, object]] = {}

    def keep(self, state: str, pending: object) -> None:
        now = self._clock.now()
        if len(self._pending) >= self._max:
            self._pending = {key: value for key, value in self._pending.items()
                             if value[0] > now}
            while len(self._pending) >= self._max:
                del self._pending[next(iter(self._pending))]
        self._pending[state] = (now + self._lifetime, pending)

    def take(self, state: str) -> object | None:
        entry = self._pending.pop(state, None)
        if entry is None or entry[0] <= self._clock.now():
            return None
        return entry[1]
