"""The provider's list upload on the pages: preview first, then "Übernehmen"."""

from __future__ import annotations

import re

import httpx

CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')
UPLOAD_FIELD = re.compile(r'name="upload" value="([^"]+)"')


async def preview(client: httpx.AsyncClient, csrf: str, content: bytes,
                  filename: str = "liste.csv") -> httpx.Response:
    return await client.post("/upload", data={"csrftoken": csrf},
                             files={"file": (filename, content)})


async def preview_and_commit(client: httpx.AsyncClient, csrf: str, content: bytes,
                             filename: str = "liste.csv") -> tuple[httpx.Response,
                                                                    httpx.Response | None]:
    """The preview page, and the result page after "Übernehmen" (``None`` when the preview
    offered nothing to store)."""
    shown = await preview(client, csrf, content, filename)
    found = UPLOAD_FIELD.search(shown.text)
    if found is None:
        return shown, None
    stored = await client.post("/upload/commit", data={
        "csrftoken": CSRF_FIELD.search(shown.text).group(1), "upload": found.group(1)})
    return shown, stored
