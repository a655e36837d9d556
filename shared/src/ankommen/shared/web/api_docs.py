"""The interactive API documentation (``/docs``) of every service, served from our own origin,
and the AsyncAPI document of its topics (``/asyncapi.json``).

FastAPI's own ``/docs`` page loads Swagger UI from a CDN and starts it with an inline script:
under the strict Content-Security-Policy (:mod:`ankommen.shared.web.hardening`) it stays blank,
and staff browsers of a county must not fetch from third-party CDNs anyway. Here the Swagger UI
files are vendored (``docs_static/vendor/swagger-ui``, with version and licence) and started by
a static script that reads the OpenAPI URL from the page, so the page needs no exception to the
policy. ReDoc (``/redoc``) would need a CDN too and is switched off: the runtime creates the app
with ``docs_url=None, redoc_url=None`` and installs this page instead.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from ankommen.shared.messaging.asyncapi import render

DOCS_PATH = "/docs"
#: Where the vendored Swagger UI and its initialiser are served.
ASSETS_PATH = "/static/docs"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} – API</title>
<link rel="stylesheet" href="{assets}/vendor/swagger-ui/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/vendor/swagger-ui/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-initializer.js"></script>
</body>
</html>
"""


def install_api_docs(app: FastAPI) -> None:
    """Serve Swagger UI for ``app``'s OpenAPI description at ``/docs``, assets included."""
    app.mount(ASSETS_PATH, StaticFiles(packages=[("ankommen.shared.web", "docs_static")]),
              name="docs-static")

    @app.get(DOCS_PATH, include_in_schema=False, response_class=HTMLResponse)
    async def api_docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return HTMLResponse(_PAGE.format(
            title=escape(app.title), assets=escape(root + ASSETS_PATH),
            openapi_url=escape(root + (app.openapi_url or "/openapi.json"))))


#: The AsyncAPI document of the service's Kafka topics, next to its OpenAPI document.
ASYNCAPI_PATH = "/asyncapi.json"


def install_asyncapi(app: FastAPI, document: Callable[[], dict[str, Any]]) -> None:
    """Serve the service's AsyncAPI document at ``/asyncapi.json``, public like
    ``/openapi.json`` (it describes topics, never their messages), byte for byte as
    docs/asyncapi/ holds it. Built on the first request: the consumers it lists are added
    after the app."""
    rendered: list[str] = []

    @app.get(ASYNCAPI_PATH, include_in_schema=False)
    async def asyncapi() -> Response:
        if not rendered:
            rendered.append(render(document()))
        return Response(rendered[0], media_type="application/json")
