"""What one registration's writes cost on SQLite, path by path (issue 21 item 1):
``python -m bench.group_commit_costs``.

A registration writes 7 statements (case, identity, data key, blind indexes as one
executemany, audit, outbox as one multi-row insert, commit). Measured here, in one process,
one unit after another, CPU of the whole process (every thread) and wall time per unit:

- *session*: the statements through ``AsyncSession`` on aiosqlite, as before group commit
  (each statement 2–3 hand-offs to aiosqlite's thread);
- *writer, group of n*: the same statements handed to the group writer, n units per group
  (savepoint per unit only if the merged attempt fails; here it never does).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table, insert

from ankommen.shared.db.engine import create_engine, session_factory
from ankommen.shared.db.group_commit import GroupWriter, Write

metadata = MetaData()
TABLES = [Table(f"t{number}", metadata, Column("id", String(36), primary_key=True),
                Column("data", LargeBinary), Column("text", String(200)),
                Column("at", DateTime(timezone=True)), Column("n", Integer))
          for number in range(5)]
INDEXES = Table("indexes", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                Column("owner", String(36)), Column("digest", String(64)))
UNITS = 2000


def unit() -> list[Write]:
    key = str(uuid.uuid4())
    now = datetime.now(UTC)
    row = {"id": key, "data": b"x" * 200, "text": "t" * 100, "at": now, "n": 1}
    writes = [Write(insert(table), dict(row)) for table in TABLES[:4]]
    writes.insert(3, Write(insert(INDEXES), [{"owner": key, "digest": f"{i:064d}"}
                                             for i in range(12)]))
    writes.append(Write(insert(TABLES[4]), [dict(row, id=str(uuid.uuid4())) for _ in range(2)]))
    return writes


def cpu() -> float:
    return time.process_time()


async def measure(folder: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'costs.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = session_factory(engine)
    units = [unit() for _ in range(UNITS)]

    started, wall = cpu(), time.perf_counter()
    for writes in units[:UNITS // 4]:
        async with sessions() as session:
            for write in writes:
                await session.execute(write.statement, write.parameters)
            await session.commit()
    report("session (aiosqlite, before)", UNITS // 4, started, wall)

    for size in (1, 4, 16):
        units = [unit() for _ in range(UNITS)]
        writer = GroupWriter.for_engine(engine, max_wait=0.0, max_units=size)
        await writer.commit(unit())  # its connection opened
        started, wall = cpu(), time.perf_counter()
        for start in range(0, UNITS, size):
            await asyncio.gather(*(writer.commit(writes) for writes in units[start:start + size]))
        report(f"writer, groups of {size}", UNITS, started, wall)
        await writer.close()
    await engine.dispose()


def report(name: str, count: int, started: float, wall: float) -> None:
    print(f"{name:32s} CPU {(cpu() - started) / count * 1000:6.3f} ms/unit, "
          f"wall {(time.perf_counter() - wall) / count * 1000:6.3f} ms/unit")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(measure(Path(folder)))
