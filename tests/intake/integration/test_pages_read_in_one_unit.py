"""Intake's case pages read in one unit of work per request: the case page (whether the case
exists, then its audited read), the search and the export open one each — so that what a page
shows comes from one transaction, and a page costs one connection, not one per step."""

from __future__ import annotations

from tests.intake.integration.running import running_intake
from tests.intake.integration.test_case_pages import audit, csrf, register, sign_in
from tests.support.sessions import counted_sessions


async def test_the_case_page_search_and_export_open_one_unit_each(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        case = await register(intake, family_name="Kovalenko", given_names="Tetiana",
                              birth_date="1979-09-14")
        case_id = case["case_id"]
        await sign_in(intake.client)
        token_value = await csrf(intake.client, "/ui/cases")
        opened = counted_sessions(intake.runtime.uow)
        asked = {
            ("GET", f"/ui/cases/{case_id}?purpose=counselling"): "Kovalenko",
            ("GET", f"/ui/cases/{case_id}/survey"): "Soltau",
            ("GET", f"/ui/cases/{case_id}/export"): "Kovalenko",
            ("GET", f"/ui/cases/{case_id}/export/print"): "Kovalenko",
            ("POST", "/ui/cases"): "Kovalenko",
        }
        for (method, page), expected in asked.items():
            opened[0] = 0
            response = await intake.client.request(method, page, data={
                "csrftoken": token_value, "purpose": "counselling", "family_name": "Kovalenko",
                "given_names": "Tetiana", "birth_date": "1979-09-14"} if method == "POST"
                else None)
            assert response.status_code == 200, (page, response.text)
            assert expected in response.text, page
            assert opened[0] == 1, page

        # The reads that disclose the person are still audited, in that one unit.
        assert {entry["action"] for entry in await audit(intake, case_id)} >= {
            "read_identity", "search", "export"}

        # A case that does not exist: its page says so from one unit too.
        opened[0] = 0
        missing = await intake.client.get(
            "/ui/cases/00000000-0000-4000-8000-000000000000?purpose=counselling")
        assert missing.status_code == 404 and "Fall nicht gefunden" in missing.text
        assert opened[0] == 1
