"""A provider's pages read through the views module in one unit of work per request, however
many participants they list (monitoring once opened about 30 to render one page)."""

from __future__ import annotations

from ankommen.shared.identity.auth import Role
from tests.progress.integration.catalogue import progress_with_placements, referral_code
from tests.support.sessions import counted_sessions
from tests.support.tokens import issue_token


async def test_the_participants_page_and_the_upload_page_open_one_unit_each(kafka,
                                                                           sqlite_databases):
    codes = [referral_code() for _ in range(5)]
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": codes}) as (
            progress, _):
        opened = counted_sessions(progress.runtime.uow)
        progress.sign_in_with(issue_token(Role.PROVIDER, "test", provider_id="vhs-a"))
        for page in ("/", "/upload"):
            opened[0] = 0
            response = await progress.client.get(page)
            assert response.status_code == 200
            assert opened[0] == 1, page
            if page == "/":
                assert all(code in response.text for code in codes)
