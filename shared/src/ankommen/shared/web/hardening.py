"""What every service does against abuse of its HTTP surface, installed by the app factory.

- **Request size**: every body is limited (``max_request_bytes``, Starlette's body limit); a
  route that takes uploads names its own larger one (FastAPI's route ``max_body_size``). Too
  large is a 413 problem saying the limit, before anything is parsed.
- **Rate limits** (the ``limits`` library, a moving window per client address) on the endpoints
  worth guessing at: the token sign-in and intake's search. Over the limit is a 429 with
  ``Retry-After``. The client address is the connection's peer, or what a configured proxy
  says it is in ``X-Forwarded-For`` (uvicorn's proxy-header middleware, given only the
  configured proxies) — never what the client says.
- **Security headers** on every response: a strict Content-Security-Policy (no inline script,
  nothing from other origins) and friends.
- **CSRF** on every state change of a page route, whatever its content type: a signed
  double-submit cookie plus a hidden ``csrftoken`` field that
  :class:`~ankommen.shared.web.pages.Pages` puts in every template. (asgi-csrf does the same
  but cannot read multipart forms with the python-multipart we depend on.)
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.routing import APIRoute, iter_route_contexts
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.applications import Starlette
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY, RequestBodyLimitMiddleware
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ankommen.shared.errors import PROBLEM_JSON
from ankommen.shared.settings import Network

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
CSRF_COOKIE = "ankommen_csrf"
#: The hidden form field of every form.
CSRF_FIELD = "csrftoken"
#: A page (German first, as every page; the middleware runs before any translator) rather than
#: a bare text: a clerk meets it when a form stayed open past its token.
CSRF_FAILED = (
    "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Formular "
    "abgelaufen · ankommen</title></head><body><main><h1>Das Formular ist abgelaufen</h1><p>Bitte "
    "laden Sie die Seite neu und senden Sie das Formular noch einmal.</p><p lang=\"en\">csrf: "
    "the form's security token is missing or does not match; reload the page and submit the "
    "form again.</p></main></body></html>").encode()


class RateLimit:
    """A FastAPI dependency that admits ``limit`` (e.g. ``"10/minute"``) requests per client
    address to the endpoints it guards, and answers 429 with ``Retry-After`` beyond that."""

    def __init__(self, scope: str, limit: str) -> None:
        self.scope = scope
        self.item: RateLimitItem = parse(limit)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        if self._limiter.hit(self.item, self.scope, client):
            return
        reset_at = self._limiter.get_window_stats(self.item, self.scope, client).reset_time
        retry_after = max(1, int(reset_at - time.time()) + 1)
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            f"rate limit: at most {self.item} for {self.scope}; try again in "
                            f"{retry_after} s", headers={"Retry-After": str(retry_after)})


#: The OpenAPI documentation of a rate-limited endpoint's extra answer.
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many requests; `Retry-After` says when to try again"}}


#: (path pattern, methods, is a page, the route's own body limit or None)
RouteFacts = tuple[re.Pattern[str], frozenset[str], bool, int | None]


def page_routes(app: Starlette) -> list[RouteFacts]:
    """(path pattern, methods, is a page, own body limit) of every route of ``app``: a page
    route is one left out of the API schema (the pages, sign-in and sign-out); API routes are
    in it. An upload route names its own larger body limit (FastAPI's ``max_body_size``), on
    the route or on the router it is included with (a limit from the settings, for a route
    defined at module level): the effective one of its inclusion."""
    found: list[RouteFacts] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute | Route):
            continue
        page = isinstance(route, APIRoute) and not (
            route.include_in_schema and getattr(context, "include_in_schema", True))
        found.append((context.path_regex, frozenset(route.methods or ()), page,
                      getattr(context, "max_body_size", getattr(route, "max_body_size", None))))
    return found


def _header(scope: Scope, name: bytes) -> bytes:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or ()
    for key, value in headers:
        if key == name:
            return value
    return b""


async def _csrf_failed(send: Send) -> None:
    await send({"type": "http.response.start", "status": 403, "headers": [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())]})
    await send({"type": "http.response.body", "body": CSRF_FAILED})


class CsrfProtection:
    """ASGI middleware: double-submit CSRF tokens for every state change a page makes.

    The token is a signed random value in an HttpOnly, SameSite=Strict cookie; pages read it
    from ``scope["csrftoken"]`` (which also sets the cookie) into a hidden field, and a form
    post must bring the same value back.

    **Page routes** (those outside the API schema: the pages, ``/login``, ``/logout``) are
    signed in by cookie, so every POST, PUT, PATCH or DELETE to them that carries a cookie
    needs the token — whatever its content type (JSON, text/plain, multipart, urlencoded or
    none: what the route does with the body does not matter, the cookie is what a forger
    borrows) and whatever ``Authorization`` header it brings (pages do not read it). The
    sign-in form needs it even without a cookie (login CSRF).

    **API routes** authenticate by bearer token only, which a browser never adds on its own:
    exempt are bearer-token requests, JSON bodies (a cross-site form cannot send them) and
    requests without any cookie. Anything else with a cookie is checked as a form.
    """

    def __init__(self, app: ASGIApp, *, secret: str, secure_cookies: bool,
                 routes_of: Starlette | None = None) -> None:
        self._app = app
        self._signer = URLSafeSerializer(secret, salt="ankommen-csrf")
        self._secure = secure_cookies
        #: The app whose routes say which paths are pages (read at the first state change,
        #: when every route is in place).
        self._routes_of = routes_of
        self._routes: list[RouteFacts] | None = None

    def _valid(self, token: str | None) -> bool:
        if not token:
            return False
        try:
            self._signer.loads(token)
        except BadSignature:
            return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        cookie = Request(scope).cookies.get(CSRF_COOKIE) if _header(scope, b"cookie") else None
        has_cookie = self._valid(cookie)
        token = cookie if has_cookie else None
        handed_out = False

        def hand_out() -> str:
            # Signed only when a page asks for it: API requests never need a token.
            nonlocal handed_out, token
            handed_out = True
            if token is None:
                token = self._signer.dumps(secrets.token_urlsafe(24))
            return token

        # In place: the body limit further out reads the same scope.
        scope["csrftoken"] = hand_out

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and handed_out and not has_cookie:
                secure = self._secure or scope.get("scheme") == "https"
                cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict" + (
                    "; Secure" if secure else "")
                headers = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
                message = {**message, "headers": headers}
            await send(message)

        if not self._must_check(scope):
            await self._app(scope, receive, send_with_cookie)
            return

        async def checked(scope: Scope, receive: Receive, send: Send) -> None:
            messages, submitted = await self._read_form(scope, receive)
            if not (has_cookie and submitted and token
                    and secrets.compare_digest(submitted, token)):
                await _csrf_failed(send)
                return

            async def replay() -> Message:
                return messages.pop(0) if messages else await receive()

            await self._app(scope, replay, send_with_cookie)

        # The form is read here, before routing: an upload form's own larger limit must
        # apply already (it read at most the app's 1 MiB before, refusing a 2 MB list).
        own_limit = self._own_limit(scope)
        if own_limit is None:
            await checked(scope, receive, send)
        else:
            await RequestBodyLimitMiddleware(checked, own_limit)(scope, receive, send)

    def _must_check(self, scope: Scope) -> bool:
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return False
        if self._is_page(scope):
            return bool(_header(scope, b"cookie")) or scope["path"] == "/login"
        media_type = _header(scope, b"content-type").split(b";", 1)[0].strip().lower()
        if media_type == b"application/json" or media_type.endswith(b"+json"):
            return False
        if _header(scope, b"authorization").startswith(b"Bearer "):
            return False
        return bool(_header(scope, b"cookie")) or scope["path"] == "/login"

    def _is_page(self, scope: Scope) -> bool:
        """Whether the request goes to a page route (one outside the API schema); a path
        that is no route at all is judged by the API rules."""
        matching = [(methods, page) for _, methods, page, _ in self._matching(scope)]
        by_method = [page for methods, page in matching if scope["method"] in methods]
        return any(by_method) if by_method else any(page for _, page in matching)

    def _own_limit(self, scope: Scope) -> int | None:
        """The body limit of the route this request goes to, if it names its own."""
        return next((limit for _, methods, _, limit in self._matching(scope)
                     if scope["method"] in methods and limit is not None), None)

    def _matching(self, scope: Scope) -> list[RouteFacts]:
        if self._routes_of is None:
            return []
        if self._routes is None:
            self._routes = page_routes(self._routes_of)
        path = scope["path"]
        root_path = scope.get("root_path", "")
        if root_path and path.startswith(root_path + "/"):
            path = path[len(root_path):]
        return [facts for facts in self._routes if facts[0].match(path)]

    @staticmethod
    async def _read_form(scope: Scope, receive: Receive) -> tuple[list[Message], str | None]:
        """The whole body (bounded by the body limit further out) and its ``csrftoken``."""
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        pending = list(messages)

        async def from_buffer() -> Message:
            return pending.pop(0) if pending else {"type": "http.disconnect"}

        try:
            form = await Request(scope, from_buffer).form()
        except Exception:  # not a readable form at all: it cannot carry a valid token
            return messages, None
        value = form.get(CSRF_FIELD)
        await form.close()
        return messages, value if isinstance(value, str) else None


SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """ASGI middleware adding the security headers a response does not set itself (a plain
    ASGI wrapper: FastAPI's ``@app.middleware("http")`` costs a task and a stream per request,
    on every API call)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS
                            if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, send_with_headers)


def security_headers(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)


MEBIBYTE = 1024 * 1024


def _wants_a_page(scope: Scope) -> bool:
    """A person's browser (it asks for HTML first), not an API client."""
    accept = _header(scope, b"accept").decode("latin-1")
    return "text/html" in accept and "json" not in accept


def too_large_page(limit: object) -> bytes:
    """What a clerk or provider sees when a form's file is over the limit: a page (German
    first, as every page; the body limit answers before any translator), naming the limit in
    megabytes as the upload form and docs do."""
    if not isinstance(limit, int):
        size = "?"
    elif limit >= MEBIBYTE:  # a form's allowance for its other fields rounds away
        size = f"{limit // MEBIBYTE} MB"
    else:
        size = f"{limit // 1024} KB"
    return ("<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Datei zu "
            "groß · ankommen</title></head><body><main><h1>Die Datei ist zu groß</h1><p>Hier "
            f"sind höchstens {size} möglich. Bitte teilen Sie die Liste auf mehrere Dateien auf "
            "und laden Sie sie nacheinander hoch.</p><p lang=\"en\">The file is too large: at "
            f"most {size} here. Please split the list and upload the parts one after the "
            "other.</p></main></body></html>").encode()


class BodyLimit:
    """Starlette's body limit, answering in problem details that name the limit (Starlette
    itself answers a bare "Content Too Large")."""

    def __init__(self, app: ASGIApp, *, max_body_size: int) -> None:
        self._app = RequestBodyLimitMiddleware(app, max_body_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        held: dict[str, Any] = {}

        async def send_problem(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 413:
                held["start"] = message
                return
            if "start" not in held:
                await send(message)
                return
            held["body"] = held.get("body", b"") + message.get("body", b"")
            if message.get("more_body"):
                return
            start, body = held.pop("start"), held.pop("body")
            if b"Content Too Large" in body:
                limit = scope.get(MAX_BODY_SIZE_SCOPE_KEY)
                if _wants_a_page(scope):
                    content_type, body = "text/html; charset=utf-8", too_large_page(limit)
                else:
                    content_type, body = PROBLEM_JSON, json.dumps({
                        "type": "about:blank", "title": "Content too large", "status": 413,
                        "detail": f"request body: too large; the limit here is {limit} bytes",
                        "errors": [{"field": "body", "reason": f"larger than {limit} bytes"}],
                    }).encode()
                start = {**start, "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())]}
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self._app(scope, receive, send_problem)


def harden(app: FastAPI, *, secret: str, secure_cookies: bool, max_body_size: int,
           trusted_proxies: Iterable[Network] = ()) -> None:
    """Security headers, CSRF protection, the body limit and the client address (from the
    forwarding header of trusted proxies only) for every route of ``app``."""
    security_headers(app)
    app.add_middleware(CsrfProtection, secret=secret, secure_cookies=secure_cookies,
                       routes_of=app)
    # Added after CSRF protection, so further out: the body is limited before it reads a form.
    app.add_middleware(BodyLimit, max_body_size=max_body_size)
    # Outermost: everything inside, the rate limits included, sees the real client. uvicorn's
    # own proxy-header handling is off where we serve (it would trust 127.0.0.1 by default,
    # see ankommen.shared.cli.service.server_config); its middleware, given only the
    # configured proxies, reads X-Forwarded-For from the right: the client is the first
    # address that is not a trusted proxy, whatever the client wrote further left.
    trusted = [str(network) for network in trusted_proxies]
    if trusted:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
