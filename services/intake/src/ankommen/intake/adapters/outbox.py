"""Intake's own outbox, beyond what the shared relay does with it.

Published rows stay in the outbox after the relay has sent them; for an erased person they
would keep the pseudonym and the survey. Erasure therefore removes the person's already
published rows (unpublished ones still have to go out, in order).
"""

from __future__ import annotations

from sqlalchemy import delete

from ankommen.shared.db.unit_of_work import UnitOfWork


async def forget_published(uow: UnitOfWork, pseudonym: str) -> None:
    outbox = uow.tables.outbox
    await uow.session.execute(delete(outbox).where(outbox.c.aggregate_id == pseudonym,
                                                   outbox.c.published_at.is_not(None)))
