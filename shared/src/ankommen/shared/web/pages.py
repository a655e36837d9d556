"""Rendering pages and guarding them.

- :class:`Pages` renders a service's Jinja2 templates inside the shared frame (``base.html``),
  with the translator ``t``, the words for codes ``words`` (:mod:`ankommen.shared.web.words`)
  and the signed-in principal in every template.
- :class:`PageAuth` signs people in with their token (``/login``) into an HttpOnly,
  SameSite=Strict cookie — tokens never travel in URLs — and sends anyone without the right
  role to the login page instead of showing a JSON error.
- Every form carries the CSRF token (``csrftoken`` in each template; checked by
  :mod:`ankommen.shared.web.hardening`), and sign-in attempts are rate-limited.
- A page never answers raw JSON: a refused request, an unknown case, a wrong method on a page
  route is shown as an error page in the reader's language (:func:`install_error_pages`); the
  API's routes keep their problem details.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Cookie, Depends, FastAPI, Form, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from ankommen.shared.auth import Authenticator, InvalidToken, Principal, Role
from ankommen.shared.errors import DomainError
from ankommen.shared.web.form_errors import form_errors
from ankommen.shared.web.hardening import RATE_LIMITED, RateLimit
from ankommen.shared.web.i18n import (
    FRAME_PACKAGE,
    LANGUAGES,
    Catalogue,
    Translator,
    catalogue_of,
)
from ankommen.shared.web.words import Places, Words

SESSION_COOKIE = "ankommen_session"
LANGUAGE_COOKIE = "ankommen_lang"

#: Why the sign-in page is shown again (``?reason=`` of the redirect to it).
LOGIN_REASONS = frozenset({"login.invalid", "login.forbidden", "login.empty"})


class LoginRequired(Exception):
    """Raised by page guards; answered with a redirect to the login page."""

    def __init__(self, next_path: str, reason: str | None = None) -> None:
        self.next_path = next_path
        self.reason = reason


class Pages:
    """The templates of one service inside the shared frame."""

    def __init__(self, service_package: str, *, service_title: str,
                 navigation: list[tuple[str, str] | tuple[str, str, frozenset[Role]]] = (),
                 places: Places | None = None
                 ) -> None:
        environment = Environment(
            loader=ChoiceLoader([PackageLoader(service_package, "templates"),
                                 PackageLoader("ankommen.shared.web", "templates")]),
            autoescape=select_autoescape(["html"]))
        self.templates = Jinja2Templates(env=environment)
        #: The frame's texts and the service's (its package's ``locale/`` catalogues).
        self.catalogue: Catalogue = catalogue_of(FRAME_PACKAGE, service_package)
        self.service_title = service_title
        #: (path, catalogue key) pairs for the top navigation, or (path, key, roles) for a
        #: page only those roles may open: the others do not see its link.
        self.navigation = list(navigation)
        #: Names for region keys (the county's municipality directory), for ``words``.
        self.places = places

    def navigation_for(self, principal: Principal | None) -> list[tuple[str, str]]:
        """The links ``principal`` may follow: a page restricted to roles shows only to them
        (signed out, only the unrestricted ones)."""
        return [(item[0], item[1]) for item in self.navigation
                if len(item) == 2 or (principal is not None and principal.role in item[2])]

    def translator(self, request: Request) -> Translator:
        requested = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
        return Translator(self.catalogue, requested or "de")

    def render(self, request: Request, template: str, context: dict[str, Any] | None = None,
               *, principal: Principal | None = None, status_code: int = 200) -> HTMLResponse:
        t = self.translator(request)
        csrf_token = request.scope.get("csrftoken")
        response = self.templates.TemplateResponse(request, template, {
            "t": t, "words": Words(t, self.places), "lang": t.language, "principal": principal,
            "navigation": self.navigation_for(principal),
            "service_title": self.service_title, "csrftoken": csrf_token() if csrf_token else "",
            "other_language_url": _with_language(request, t.other_language),
            **(context or {})}, status_code=status_code)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, t.language, samesite="strict", httponly=True)
        return response


class PageAuth:
    """Sign-in by token for the pages of one service."""

    def __init__(self, authenticator: Authenticator, pages: Pages, *, secure_cookies: bool,
                 login_rate_limit: str = "10/minute") -> None:
        self._auth = authenticator
        self._pages = pages
        self._secure = secure_cookies
        self._login_limit = RateLimit("sign-in", login_rate_limit)

    def require(self, *roles: Role):  # noqa: ANN201 - a FastAPI dependency
        """A page dependency: the signed-in principal with one of ``roles``, or to /login."""

        def dependency(request: Request, session: Annotated[str | None, Cookie(
                alias=SESSION_COOKIE, include_in_schema=False)] = None) -> Principal:
            # Back to the page as it was asked for, query included (a letter's referral code).
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if not session:
                raise LoginRequired(here)
            try:
                principal = self._auth.verify(session)
            except InvalidToken:
                raise LoginRequired(here, "login.invalid") from None
            if principal.role not in roles:
                raise LoginRequired(here, "login.forbidden")
            return principal

        return Depends(dependency)

    def install(self, app: FastAPI) -> None:
        """Login and logout routes, the redirect for guarded pages, and the shared assets."""
        app.mount("/static/shared", StaticFiles(packages=[("ankommen.shared.web", "static")]),
                  name="shared-static")
        router = APIRouter(include_in_schema=False)

        @app.exception_handler(LoginRequired)
        async def to_login(_: Request, error: LoginRequired) -> RedirectResponse:
            target = f"/login?next={quote(error.next_path)}"
            if error.reason:
                target += f"&reason={error.reason}"
            return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)

        @router.get("/login", response_class=HTMLResponse)
        async def login_form(request: Request, next: str = "/", reason: str | None = None
                             ) -> HTMLResponse:
            # Only our own reasons: a link must not make the page say what its author wants.
            return self._pages.render(request, "login.html", {
                "next": _safe_next(next), "reason": reason if reason in LOGIN_REASONS else None})

        @router.post("/login", dependencies=[Depends(self._login_limit)], responses=RATE_LIMITED)
        async def login(request: Request, token: Annotated[str, Form(max_length=4096)] = "",
                        next: Annotated[str, Form()] = "/") -> Response:
            if not token.strip():
                return self._pages.render(request, "login.html", {
                    "next": _safe_next(next), "reason": "login.empty"}, status_code=400)
            try:
                self._auth.verify(token.strip())
            except InvalidToken:
                return self._pages.render(request, "login.html", {
                    "next": _safe_next(next), "reason": "login.invalid"}, status_code=401)
            response = RedirectResponse(_safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
            response.set_cookie(SESSION_COOKIE, token.strip(), httponly=True, samesite="strict",
                                secure=self._secure or request.url.scheme == "https",
                                max_age=12 * 3600)
            return response

        @router.post("/logout")
        async def logout() -> RedirectResponse:
            response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
            response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict",
                                   secure=self._secure)
            return response

        app.include_router(router)
        install_error_pages(app, self._pages)


def is_page_request(request: Request) -> bool:
    """Whether a person's browser asked for a page: a matched route that is a page (pages are
    left out of the OpenAPI schema), or, where no route matched, a browser asking for HTML."""
    route = request.scope.get("route")
    if route is not None and hasattr(route, "include_in_schema"):
        return not route.include_in_schema
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept


Handler = Callable[[Request, Exception], Awaitable[Response]]


def install_error_pages(app: FastAPI, pages: Pages) -> None:
    """Refusals on page routes as pages in the reader's language; the API's stay problem
    details (the handlers installed before are kept for them)."""
    api: dict[type[Exception], Handler] = {
        kind: app.exception_handlers[kind]
        for kind in (RequestValidationError, DomainError, StarletteHTTPException)}

    def page(kind: type[Exception]) -> Handler:
        async def handler(request: Request, error: Exception) -> Response:
            if not is_page_request(request):
                return await api[kind](request, error)
            t = pages.translator(request)
            status_code, reasons = 400, []
            if isinstance(error, RequestValidationError):
                status_code = 422
                reasons = [f"{field}: {reason}" for field, reason in form_errors(
                    error.errors(), t, _field_name).items()]
            elif isinstance(error, DomainError):
                status_code = error.status
            elif isinstance(error, StarletteHTTPException):
                status_code = error.status_code
            key = f"error_page.{status_code}"
            response = pages.render(request, "error.html", {
                "title": t(key if t.has(key) else "error_page.other"),
                "status": HTTPStatus(status_code).phrase, "reasons": reasons},
                status_code=status_code)
            response.headers.update(getattr(error, "headers", None) or {})
            return response
        return handler

    for kind in api:
        app.add_exception_handler(kind, page(kind))


def _field_name(location: tuple) -> str:
    return ".".join(str(part) for part in location[1:]) or "form"


def _with_language(request: Request, language: str) -> str:
    """This page in ``language``: the other query parameters kept (a letter's referral code,
    a table's filters), so that switching the language shows the same thing."""
    kept = [(name, value) for name, value in request.query_params.multi_items()
            if name != "lang"]
    return f"{request.url.path}?{urlencode([*kept, ('lang', language)])}"


def _safe_next(path: str) -> str:
    """Only local paths: a login must not redirect to another site."""
    return path if path.startswith("/") and not path.startswith("//") else "/"
