"""``ankommen-intake rotate-master-key`` re-wraps the data keys under a new master key and
leaves the encrypted identities untouched; afterwards the old key is no longer needed."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

from sqlalchemy import select

from ankommen.intake.adapters.crypto import master_key_id
from ankommen.intake.adapters.tables import data_keys, identities
from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.support.services import token
from tests.support.surveys import identity, registration

STAFF = token(Role.INTAKE_STAFF)


async def stored(service) -> tuple[set[str], list[bytes]]:  # noqa: ANN001
    async with service.runtime.sessions() as session:
        key_ids = set((await session.execute(select(data_keys.c.master_key_id))).scalars())
        texts = list((await session.execute(select(identities.c.ciphertext)
                                            .order_by(identities.c.case_id))).scalars())
    return key_ids, texts


async def test_rotation_rewraps_data_keys_and_keeps_identities_readable(kafka, databases):
    old_key, new_key = secrets.token_bytes(32), secrets.token_bytes(32)
    old, new = base64.b64encode(old_key).decode(), base64.b64encode(new_key).decode()
    url = await databases.url("intake")
    async with running_intake(kafka, databases, database_url=url, master_key=old) as intake:
        case_ids = [(await intake.client.post("/cases", json=registration(
            person=identity(family_name=name)), headers=STAFF)).json()["case_id"]
            for name in ("Tkachenko", "Gebremedhin", "Sultani")]
        key_ids_before, texts_before = await stored(intake)
    assert key_ids_before == {master_key_id(old_key)}

    environment = {**os.environ, "ANKOMMEN_INTAKE_DATABASE_URL": url,
                   "ANKOMMEN_INTAKE_MASTER_KEY": new,
                   "ANKOMMEN_INTAKE_PREVIOUS_MASTER_KEYS": old}
    result = subprocess.run(  # noqa: ASYNC221 - the operator's command, as a process
        [sys.executable, "-m", "ankommen.intake", "rotate-master-key"], env=environment,
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "3 data keys re-wrapped" in result.stdout

    async with running_intake(kafka, databases, database_url=url, master_key=new) as intake:
        key_ids_after, texts_after = await stored(intake)
        assert key_ids_after == {master_key_id(new_key)}
        assert texts_after == texts_before
        for case_id in case_ids:
            read = await intake.client.get(f"/cases/{case_id}",
                                           params={"purpose": "correction"}, headers=STAFF)
            assert read.status_code == 200, read.text
