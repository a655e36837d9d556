"""Intake registers only people of the county: a municipality key outside its districts —
a typing error or a lie through the API — is refused before anything is stored or announced.

In process without a broker: nothing is created, so nothing crosses one."""

from __future__ import annotations

import pytest

from ankommen.shared.identity.auth import Role
from tests.support.services import in_process, token
from tests.support.surveys import registration

STAFF = token(Role.INTAKE_STAFF)


@pytest.mark.parametrize("region_key", [
    "03385021",  # two digits swapped: no such municipality
    "03351006",  # Celle: a real municipality, another county's
    "03358022",  # Walsrode's key before 2020: no longer a municipality
    "03351",     # another district as a whole
])
async def test_a_municipality_outside_the_county_is_refused(region_key, sqlite_databases):
    async with in_process("intake", bootstrap="127.0.0.1:1",
                          database_url=await sqlite_databases.url("intake")) as intake:
        refused = await intake.client.post("/cases", headers=STAFF, json=registration(
            region_key=region_key))
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"] == [{
            "field": "survey.region_key",
            "reason": "survey.region_key: not a municipality of the county's districts"}]

        accepted = await intake.client.post("/cases", headers=STAFF, json=registration(
            region_key="03358021"))
        assert accepted.status_code == 201, accepted.text
        case_id = accepted.json()["case_id"]
        moved = await intake.client.patch(f"/cases/{case_id}/survey", headers=STAFF,
                                          json={"region_key": region_key})
        assert moved.status_code == 422, moved.text
        unknown = await intake.client.patch(f"/cases/{case_id}/survey", headers=STAFF,
                                            json={"region_key": "03358"})
        assert unknown.status_code == 200, "the district itself: municipality not known"
