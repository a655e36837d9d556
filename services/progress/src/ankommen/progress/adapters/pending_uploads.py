"""Uploaded lists waiting between their preview and "Übernehmen": kept in the service's
memory, bounded and expiring, never sent back to the browser.

The preview page carries only a random id (``secrets.token_urlsafe``); the file stays here,
bound to the provider who uploaded it — another provider's id finds nothing — and is removed
when it is committed or cancelled, after :data:`TTL` (by the injected clock), or when newer
uploads need the room (at most :data:`MAX_ENTRIES` lists and ``max_total_bytes`` together;
the oldest go first). A provider has one pending list at a time: a new upload replaces it.

Memory rather than a table: a pending list is a few megabytes that nobody needs after a
quarter of an hour, and a restart losing it costs one re-upload (the page says so). With
several replicas of progress behind one address, the commit must reach the replica that
showed the preview (sticky sessions); otherwise it finds nothing and asks for the file again.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from ankommen.shared.clock import Clock

TTL = timedelta(minutes=15)
MAX_ENTRIES = 16


@dataclass(frozen=True)
class PendingUpload:
    provider_id: str
    content: bytes
    filename: str
    expires_at: datetime


class PendingUploads:
    def __init__(self, clock: Clock, max_total_bytes: int, *, ttl: timedelta = TTL,
                 max_entries: int = MAX_ENTRIES) -> None:
        self._clock = clock
        self._max_total_bytes = max_total_bytes
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: OrderedDict[str, PendingUpload] = OrderedDict()

    def _expire(self) -> None:
        now = self._clock.now()
        for key in [key for key, entry in self._entries.items() if entry.expires_at <= now]:
            del self._entries[key]

    def _total(self) -> int:
        return sum(len(entry.content) for entry in self._entries.values())

    def put(self, provider_id: str, content: bytes, filename: str) -> str:
        """Keep ``content`` for ``provider_id``; the id to commit or cancel it with."""
        self._expire()
        for key in [key for key, entry in self._entries.items()
                    if entry.provider_id == provider_id]:
            del self._entries[key]
        while self._entries and (len(self._entries) >= self._max_entries
                                 or self._total() + len(content) > self._max_total_bytes):
            self._entries.popitem(last=False)
        upload_id = secrets.token_urlsafe(24)
        self._entries[upload_id] = PendingUpload(provider_id, content, filename,
                                                 self._clock.now() + self._ttl)
        return upload_id

    def get(self, upload_id: str, provider_id: str) -> PendingUpload | None:
        """The pending list, if it exists, has not expired and is ``provider_id``'s."""
        self._expire()
        entry = self._entries.get(upload_id)
        return entry if entry is not None and entry.provider_id == provider_id else None

    def remove(self, upload_id: str, provider_id: str) -> None:
        if self.get(upload_id, provider_id) is not None:
            del self._entries[upload_id]

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)
