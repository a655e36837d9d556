"""Identity is never stored or logged in plaintext: a seeded name and birth date are looked
for in the bytes of intake's SQLite database file and in every captured log record."""

from __future__ import annotations

import logging
from pathlib import Path

from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.support.services import token
from tests.support.surveys import identity, registration

STAFF = token(Role.INTAKE_STAFF)
FAMILY, GIVEN, BORN = "Qaraghuli", "Zulaikha", "1987-06-29"
SEEDS = [FAMILY, GIVEN, BORN, "29.06.1987", "19870629", "Zulaikha.Q@example.org"]


def variants(seed: str) -> list[bytes]:
    return [form.encode(encoding) for form in (seed, seed.lower(), seed.upper())
            for encoding in ("utf-8", "utf-16-le")]


async def test_seeded_name_and_birth_date_are_in_neither_database_file_nor_logs(
        kafka, sqlite_databases, caplog):
    caplog.set_level(logging.DEBUG)
    url = await sqlite_databases.url("intake")
    person = identity(family_name=FAMILY, given_names=GIVEN, birth_date=BORN,
                      email="Zulaikha.Q@example.org")
    async with running_intake(kafka, sqlite_databases, database_url=url) as intake:
        case = (await intake.client.post("/cases", json=registration(person=person),
                                         headers=STAFF)).json()
        variant = registration(person={**person, "family_name": "Karaghuli"})
        assert (await intake.client.post("/cases", json=variant, headers=STAFF)
                ).status_code == 409
        await intake.client.post("/cases/search", headers=STAFF, json={
            "family_name": FAMILY, "given_names": GIVEN, "birth_date": BORN})
        await intake.client.get(f"/cases/{case['case_id']}", params={"purpose": "counselling"},
                                headers=STAFF)
        await intake.client.post("/cases", headers=STAFF, json={
            **registration(person={**person, "birth_date": "2999-01-01"})})
    database = Path(url.removeprefix("sqlite+aiosqlite:///"))
    stored = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    assert stored, "the database file was not found"
    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert caplog.records, "nothing was logged: the log check would prove nothing"
    for seed in SEEDS:
        assert not any(form in stored for form in variants(seed)), f"{seed} in the database"
        assert seed.lower() not in logged.lower(), f"{seed} in the logs"
