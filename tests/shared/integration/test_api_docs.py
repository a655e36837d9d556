"""``/docs`` of every service: Swagger UI from our own origin, under the strict policy."""

from __future__ import annotations

import importlib
import re

import httpx
import pytest

from ankommen.shared.web.hardening import CONTENT_SECURITY_POLICY
from tests.support.services import settings_for

SERVICES = ("intake", "assignment", "progress", "monitoring")


def client_for(service: str) -> httpx.AsyncClient:
    """The service's app without its lifespan: the docs need neither database nor broker."""
    app = importlib.import_module(f"ankommen.{service}.app").create_app(
        settings_for(service, database_url="sqlite+aiosqlite://"))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url=f"http://{service}")


@pytest.mark.parametrize("service", SERVICES)
async def test_docs_page_and_its_assets_are_served_here_under_the_strict_policy(service):
    async with client_for(service) as client:
        page = await client.get("/docs")
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        answers = {url: await client.get(url) for url in assets}

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "<script>" not in page.text and "style=" not in page.text
    assert 'data-openapi-url="/openapi.json"' in page.text
    assert sorted(assets) == sorted([
        "/static/docs/vendor/swagger-ui/swagger-ui.css",
        "/static/docs/vendor/swagger-ui/favicon-32x32.png",
        "/static/docs/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/docs/swagger-initializer.js"])
    for url, answer in answers.items():
        assert answer.status_code == 200, url
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, url
        assert answer.headers["x-content-type-options"] == "nosniff", url
    assert answers["/static/docs/swagger-initializer.js"].headers["content-type"] \
        .startswith(("text/javascript", "application/javascript"))


@pytest.mark.parametrize("path", ["/redoc", "/docs/oauth2-redirect"])
async def test_fastapis_cdn_pages_are_switched_off(path):
    async with client_for("intake") as client:
        assert (await client.get(path)).status_code == 404
