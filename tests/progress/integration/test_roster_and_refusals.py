"""The provider's roster grid and its refused reports (issue 19): one kind for a whole course
at once with an outcome per row, the same roster sent twice changing nothing, another
provider's course refused; refused reports from every channel kept (no body, no names) and
listed with their German reason, the provider's own only, and purged after the retention.

Progress in process; placements recorded by its own catalogue handlers (no broker waits)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ankommen.progress.adapters.tables import refused_reports, reports
from ankommen.progress.service.refusals import forget_old_refusals
from ankommen.progress.service.reporting import Verdict
from ankommen.progress.service.roster import roster_of, submit_roster
from ankommen.shared.clock import MovableClock
from ankommen.shared.errors import NotFound
from ankommen.shared.identity.auth import Role
from tests.progress.integration.catalogue import (
    STARTS_ON,
    progress_with_placements,
    referral_code,
)
from tests.progress.integration.test_csv_upload import HEADER, on, row, upload
from tests.support.services import RunningService
from tests.support.tokens import issue_token

CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')


async def signed_in(progress: RunningService, provider_id: str) -> None:
    progress.client.cookies.clear()
    progress.sign_in_with(issue_token(Role.PROVIDER, "test", provider_id=provider_id))


async def course_of(progress: RunningService, code: str) -> str:
    async with progress.runtime.uow() as uow:
        return (await uow.catalogue.placements({code}))[code].course_id


async def stored(progress: RunningService, table) -> int:  # noqa: ANN001
    async with progress.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def test_roster_reports_a_course_at_once_and_a_double_submit_changes_nothing(
        kafka, sqlite_databases):
    codes = sorted(referral_code() for _ in range(3))
    foreign = referral_code()
    async with progress_with_placements(kafka, sqlite_databases, {
            "vhs-a": codes, "vhs-b": [foreign]}) as (progress, _):
        course_id, other_course = await course_of(progress, codes[0]), await course_of(
            progress, foreign)
        await signed_in(progress, "vhs-a")
        listing = await progress.client.get("/")
        assert f'href="/courses/{course_id}/roster"' in listing.text
        assert 'href="http://127.0.0.1:8102/ui/referrals"' in listing.text
        chooser = await progress.client.get(f"/courses/{course_id}/roster")
        assert chooser.status_code == 200 and "checked" not in chooser.text
        grid = await progress.client.get(f"/courses/{course_id}/roster?kind=enrolment")
        assert all(code in grid.text for code in codes) and foreign not in grid.text
        csrf = CSRF_FIELD.search(grid.text).group(1)

        enrolled = await progress.client.post(f"/courses/{course_id}/roster", data={
            "csrftoken": csrf, "kind": "enrolment", "date": on(1),
            **{f"include.{code}": "ja" for code in codes}})
        assert enrolled.status_code == 200
        assert enrolled.text.count('data-verdict="accepted"') == 3

        exam = {"csrftoken": csrf, "kind": "exam_result", "exam": "dtz", "date": on(60),
                f"passed.{codes[0]}": "ja", f"level_reached.{codes[0]}": "B1",
                f"passed.{codes[1]}": "nein", f"level_reached.{codes[1]}": "A2",
                # The attack: another provider's code typed into the form is never read.
                f"passed.{foreign}": "ja"}
        first = await progress.client.post(f"/courses/{course_id}/roster", data=exam)
        assert first.text.count('data-verdict="accepted"') == 2, first.text
        assert f'data-code="{codes[2]}" data-verdict' not in first.text
        count = await stored(progress, reports)
        again = await progress.client.post(f"/courses/{course_id}/roster", data=exam)
        assert again.text.count('data-verdict="duplicate"') == 2
        assert await stored(progress, reports) == count == 5

        missing = await progress.client.post(f"/courses/{course_id}/roster", data={
            "csrftoken": csrf, "kind": "exam_result", "exam": "dtz"})
        assert missing.status_code == 422 and "Bitte angeben." in missing.text
        assert 'aria-describedby="error-date"' in missing.text

        # Another provider's course: the page, the form and the use case refuse it as unknown.
        for answer in (await progress.client.get(f"/courses/{other_course}/roster"),
                       await progress.client.post(f"/courses/{other_course}/roster", data={
                           "csrftoken": csrf, "kind": "enrolment", "date": on(1),
                           f"include.{foreign}": "ja"})):
            assert answer.status_code == 404 and foreign not in answer.text
            assert answer.headers["content-type"].startswith("text/html")
        async with progress.runtime.uow() as uow:
            try:
                await roster_of(uow, "vhs-a", other_course)
                raise AssertionError("another provider's course was read")
            except NotFound:
                pass
        assert await stored(progress, reports) == 5


async def test_refused_reports_are_kept_listed_in_german_and_purged(kafka, databases):
    codes = [referral_code() for _ in range(2)]
    foreign = referral_code()
    clock = MovableClock(datetime.now(UTC))
    async with progress_with_placements(kafka, databases, {
            "vhs-a": codes, "vhs-b": [foreign]}, clock=clock) as (progress, _):
        content = "\r\n".join([
            HEADER, row("E0", codes[0], "Anmeldung", datum=on(1)),
            row("F0", foreign, "Anmeldung", datum=on(1)),
            row("K0", codes[1], "Urlaub", datum=on(2))]).encode("cp1252")
        result = await upload(progress, content)
        assert (result["accepted"], len(result["rejected"])) == (1, 2)
        # A roster row refused by validation is kept as well (channel form).
        async with progress.runtime.uow() as uow:
            roster = await roster_of(uow, "vhs-a", await course_of(progress, codes[0]))
            outcomes = await submit_roster(uow, "vhs-a", roster, "completion",
                                           {"date": (STARTS_ON - timedelta(days=5)).isoformat()},
                                           {codes[1]: {"include": "ja"}})
            await uow.commit()
        assert outcomes[codes[1]].verdict is Verdict.REJECTED

        await signed_in(progress, "vhs-a")
        page = await progress.client.get("/refused")
        assert page.status_code == 200
        foreign_row = re.search(rf'<tr data-code="{foreign}">.*?</tr>', page.text, re.S).group(0)
        assert "hochgeladene Liste" in foreign_row
        assert "Vermittlungscode: gehört zu keiner Vermittlung in Ihren Kursen" in foreign_row
        assert "Anmeldung" in foreign_row and "F0" in foreign_row
        assert "K0" in page.text and "unbekannter Wert" in page.text
        assert page.text.count("<tr data-code=") == 3

        await signed_in(progress, "vhs-b")
        assert "<tr data-code=" not in (await progress.client.get("/refused")).text

        assert await stored(progress, refused_reports) == 3
        clock.advance(timedelta(days=91))
        async with progress.runtime.uow() as uow:
            assert await forget_old_refusals(uow, 90) == 3
            await uow.commit()
        assert await stored(progress, refused_reports) == 0
