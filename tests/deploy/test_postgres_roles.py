"""deploy/postgres/init.sql gives each service a role that reaches its own database only.

Run with psql, as the postgres image runs it (the passwords as psql variables), on the real
PostgreSQL server of the tests — with test-unique database and role names, since roles belong
to the whole server. Intake's migrations then build its schema as its own role (no superuser
needed), and the role is tried as an attacker who holds intake's credentials would: open
another service's database, make itself superuser, create roles or databases.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from glob import glob
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from ankommen.shared.db.engine import create_engine
from ankommen.shared.db.migrations import upgrade
from tests.support.databases import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
INIT_SQL = ROOT / "deploy" / "postgres" / "init.sql"
INIT_SH = ROOT / "deploy" / "postgres" / "init.sh"
SERVICES = ("intake", "assignment", "progress", "monitoring")
#: A quote in each password: psql must quote the variables, not paste them into the SQL.
PASSWORDS = {service: f"{service}-pw-'; DROP ROLE postgres; --" for service in SERVICES}

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="ANKOMMEN_TEST_POSTGRES_URL is not set"),
]


def psql() -> str:
    """psql from PATH or Debian's PostgreSQL (as tools/test-postgres.sh finds it)."""
    found = shutil.which("psql") or next(iter(sorted(
        glob("/usr/lib/postgresql/*/bin/psql"), reverse=True)), None)
    if found is None:
        pytest.skip("psql is not installed: the init script cannot be run as the image runs it")
    return found


def password_variables() -> list[str]:
    return sorted(set(re.findall(r":'(\w+)'", INIT_SQL.read_text(encoding="utf-8"))))


def test_the_init_script_hands_every_password_variable_to_psql() -> None:
    script = INIT_SH.read_text(encoding="utf-8")

    assert password_variables() == sorted(f"{service}_password" for service in SERVICES)
    for service in SERVICES:
        assert (f'-v {service}_password="${{ANKOMMEN_{service.upper()}_DB_PASSWORD:?'
                in script), service


@contextlib.asynccontextmanager
async def initialised_server() -> AsyncIterator[dict[str, str]]:
    """init.sql run once with test-unique names; yields {service: its role and database}."""
    suffix = uuid.uuid4().hex[:8]
    names = {service: f"{service}_t{suffix}" for service in SERVICES}
    sql = re.sub(rf"\b({'|'.join(SERVICES)})\b", lambda match: names[match[1]],
                 INIT_SQL.read_text(encoding="utf-8"))
    url = make_url(POSTGRES_URL)
    command = [psql(), "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-q", "-h", url.host or
               "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres",
               "-d", url.database or "postgres", "-f", "-"]
    for service, password in PASSWORDS.items():
        command += ["-v", f"{service}_password={password}"]
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        run = await asyncio.to_thread(
            subprocess.run, command, input=sql, text=True, capture_output=True, timeout=30,
            env={**os.environ, "PGPASSWORD": url.password or ""})
        assert run.returncode == 0, run.stderr
        yield names
    finally:
        connection = await asyncpg.connect(admin)
        try:
            for name in names.values():
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await connection.execute(f'DROP ROLE IF EXISTS "{name}"')
        finally:
            await connection.close()


def as_role(names: dict[str, str], service: str, database: str) -> str:
    """A connection as ``service``'s role (the test server trusts loopback: what is checked
    here is the role's privileges, which hold whatever the authentication)."""
    url = make_url(POSTGRES_URL).set(drivername="postgresql", username=names[service],
                                     password=PASSWORDS[service], database=database)
    return url.render_as_string(hide_password=False)


async def test_each_service_role_reaches_its_own_database_only_and_is_no_superuser() -> None:
    async with initialised_server() as names:
        intake = names["intake"]
        # Its migrations build its schema in the database it owns, without the superuser …
        engine = create_engine(make_url(as_role(names, "intake", intake)).set(
            drivername="postgresql+asyncpg").render_as_string(hide_password=False))
        try:
            await upgrade(engine, "ankommen.intake:migrations")
        finally:
            await engine.dispose()
        own = await asyncpg.connect(as_role(names, "intake", intake))
        try:
            assert await own.fetchval("SELECT count(*) FROM cases") == 0
            assert await own.fetchval("SHOW is_superuser") == "off"
            # … but it cannot make itself more than it is.
            for attack in (f'ALTER ROLE "{intake}" SUPERUSER', "CREATE ROLE accomplice",
                           f'CREATE DATABASE "{intake}_copy"',
                           f'GRANT CONNECT ON DATABASE "{names["progress"]}" TO "{intake}"'):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await own.execute(attack)
        finally:
            await own.close()

        for other in ("assignment", "progress", "monitoring"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError,
                               match="permission denied for database"):
                await asyncpg.connect(as_role(names, "intake", names[other]))

        admin = await asyncpg.connect(make_url(POSTGRES_URL).set(drivername="postgresql")
                                      .render_as_string(hide_password=False))
        try:
            roles = await admin.fetch(
                "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls "
                "FROM pg_roles WHERE rolname = ANY($1::text[])", list(names.values()))
            owners = await admin.fetch(
                "SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database "
                "WHERE datname = ANY($1::text[])", list(names.values()))
        finally:
            await admin.close()
        assert len(roles) == len(SERVICES)
        assert not any(any(row[1:]) for row in roles), roles
        assert {row["datname"]: row["owner"] for row in owners} == {
            name: name for name in names.values()}
