"""What a reliability test prints when an event did not arrive in time: where it is stuck.

A proof that fails intermittently on a busy machine must say on its first failure whether the
event is still in the producer's outbox (and why: the last error of its rows), or reached the
consumer's side and was not applied — the run that failed cannot be repeated.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

#: Log lines that only say the broker was unreachable (thousands of them during an outage).
_NOISE = ("Unable connect to node", "Unable to update metadata", "NodeNotReadyError",
          "Failed fetch messages", "Group Coordinator Request failed")


async def outbox_state(engine: AsyncEngine) -> list[dict[str, object]]:
    """Per topic: rows waiting, parked, most attempts, and one last error."""
    async with engine.connect() as connection:
        rows = await connection.execute(text(
            "SELECT topic, count(*) AS total, "
            "sum(CASE WHEN published_at IS NULL THEN 1 ELSE 0 END) AS waiting, "
            "sum(CASE WHEN parked_at IS NOT NULL THEN 1 ELSE 0 END) AS parked, "
            "max(attempts) AS attempts, max(last_error) AS last_error "
            "FROM outbox GROUP BY topic"))
        return [dict(row._mapping) for row in rows]


def log_tail(path: Path, lines: int = 15) -> list[str]:
    """The last warnings and errors of a service's log, without connection noise."""
    if not path.exists():
        return []
    kept = [line for line in path.read_text(errors="replace").splitlines()
            if not any(noise in line for noise in _NOISE)]
    return [line[:300] for line in kept[-lines:]]


async def stuck_report(producer: AsyncEngine, logs: dict[str, Path]) -> str:
    """The producer's outbox and the services' log tails, as one text for a failure."""
    parts = ["outbox of the producer: " + json.dumps(await outbox_state(producer), default=str)]
    for name, path in logs.items():
        parts.append(f"--- {name} log (last warnings, connection noise left out) ---")
        parts.extend(log_tail(path))
    return "\n".join(parts)
