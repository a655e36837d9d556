"""The walking skeleton end to end: a registration at intake reaches assignment and progress
(with the pseudonym) and monitoring (as a de-identified fact), over the real broker."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select

from ankommen.shared.identity.auth import Role
from tests.support.polling import eventually
from tests.support.services import in_process, one_registration_reached_every_service, token
from tests.support.surveys import registration

SERVICES = ("intake", "assignment", "progress", "monitoring")


@contextlib.asynccontextmanager
async def whole_system(kafka, databases, **settings):  # noqa: ANN001, ANN201
    async with contextlib.AsyncExitStack() as stack:
        running = {}
        for name in SERVICES:
            running[name] = await stack.enter_async_context(in_process(
                name, bootstrap=kafka.bootstrap_servers, database_url=await databases.url(name),
                **settings))
        yield running


@pytest.mark.tansu
async def test_registration_reaches_every_service_with_one_effect_each(kafka, databases):
    async with whole_system(kafka, databases) as system:
        response = await system["intake"].client.post(
            "/cases", json=registration(german_level="A2"),
            headers=token(Role.INTAKE_STAFF))
        assert response.status_code == 201, response.text
        pseudonym = response.json()["pseudonym"]
        await one_registration_reached_every_service(system)

        from ankommen.assignment.adapters.tables import waiting_people

        async with system["assignment"].runtime.sessions() as session:
            row = (await session.execute(select(waiting_people))).one()
        assert row.pseudonym == pseudonym
        assert row.region_key == "03358021"


async def test_monitoring_database_never_holds_the_pseudonym(kafka, databases):
    async with whole_system(kafka, databases) as system:
        response = await system["intake"].client.post(
            "/cases", json=registration(region_key="03358", german_level="A0"),
            headers=token(Role.INTAKE_STAFF))
        pseudonym = response.json()["pseudonym"]

        async def arrivals() -> int:
            status = (await system["monitoring"].client.get(
                "/status", headers=token(Role.ADMIN))).json()
            return sum(row["applied"] for row in status["by_type"]
                       if row["type"] == "ankommen.intake.arrival_recorded.v1")

        await eventually(arrivals, what="monitoring counted the arrival")
        from ankommen.monitoring.adapters.tables import metadata

        async with system["monitoring"].runtime.sessions() as session:
            for table in metadata.sorted_tables:
                for row in (await session.execute(select(table))).all():
                    assert pseudonym not in repr(tuple(row)), f"pseudonym found in {table.name}"


async def test_api_refuses_callers_without_the_right_role(kafka, sqlite_databases):
    async with in_process("intake", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("intake")) as intake:
        body = registration()
        anonymous = await intake.client.post("/cases", json=body)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        wrong_role = await intake.client.post("/cases", json=body,
                                              headers=token(Role.MONITORING_VIEWER))
        assert wrong_role.status_code == 403
        forged = await intake.client.post("/cases", json=body,
                                          headers={"Authorization": "Bearer not.a.token"})
        assert forged.status_code == 401


async def test_invalid_registration_names_each_field_and_reason(kafka, sqlite_databases):
    async with in_process("intake", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("intake")) as intake:
        response = await intake.client.post(
            "/cases", json={**registration(region_key="3358", german_level="B7"), "extra": 1},
            headers=token(Role.INTAKE_STAFF))
        assert response.status_code == 422
        problem = response.json()
        fields = {error["field"] for error in problem["errors"]}
        assert fields == {"survey.region_key", "survey.german_level", "extra"}
        assert all(error["reason"] for error in problem["errors"])
