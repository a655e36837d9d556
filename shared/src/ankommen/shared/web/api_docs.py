"""The interactive API documentation (``/docs``) of every service, served from our own origin.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN and starts it with an inline script:
under the strict Content-Security-Policy (:mod:`ankommen.shared.web.hardening`) it stays blank,
and staff browsers of a county must not fetch from third-party CDNs anyway. Here the Swagger UI
files are vendored (``docs_static/vendor/swagger-ui``, with version and licence) and started by
a static script that reads the OpenAPI URL from the page, so the page needs no exception to the
policy. ReDoc (``/redoc``) would need a CDN too and is switched off: the runtime creates the app
with ``docs_url=None, redoc_url=None`` and installs this page instead.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

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
