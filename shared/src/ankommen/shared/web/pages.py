"""Rendering pages and guarding them.

- :class:`Pages` renders a service's Jinja2 templates inside the shared frame (``base.html``),
  with the translator ``t``, the words for codes ``words`` (:mod:`ankommen.shared.web.words`)
  and the signed-in principal in every template.
- :class:`PageAuth` signs people in and sends anyone without the right role to the login page
  instead of showing a JSON error. Two ways, chosen by the service's settings:
  with ``oidc_issuer`` set, through the county's identity provider (OpenID Connect,
  :mod:`ankommen.shared.web.oidc`) into a server-side session whose random id is the only
  thing the HttpOnly, SameSite=Lax cookie carries (:mod:`ankommen.shared.web.sessions`);
  without it (development, tests, scripts), by pasting a token from ``ankommen token`` that is
  kept in an HttpOnly, SameSite=Strict cookie and verified on every request — tokens never
  travel in URLs. Each service has its own session cookie (:func:`session_cookie`): services
  on one host name must not sign each other's people out.
- Forms survive a sign-in: a POST to a page named by :meth:`PageAuth.keep_forms_on` whose
  session has ended keeps its fields server-side (:mod:`ankommen.shared.web.kept_forms`), and
  the page shows them again after sign-in; sensitive actions first ask for the password again
  at the identity provider (:meth:`PageAuth.recent_sign_in`, ``prompt=login``).
- Every form carries the CSRF token (``csrftoken`` in each template; checked by
  :mod:`ankommen.shared.web.hardening`), and sign-in attempts are rate-limited.
- A page never answers raw JSON: a refused request, an unknown case, a wrong method on a page
  route is shown as an error page in the reader's language (:func:`install_error_pages`); the
  API's routes keep their problem details.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from ankommen.shared.clock import Clock
from ankommen.shared.errors import DomainError
from ankommen.shared.identity.auth import Authenticator, InvalidToken, Principal, Role
from ankommen.shared.web.form_errors import FieldLocation, form_errors
from ankommen.shared.web.hardening import RATE_LIMITED, RateLimit
from ankommen.shared.web.i18n import (
    FRAME_PACKAGE,
    LANGUAGES,
    Catalogue,
    Translator,
    catalogue_of,
)
from ankommen.shared.web.kept_forms import KEPT_FORM_COOKIE, FormFields, KeptForms
from ankommen.shared.web.oidc import (
    NotFreshlyAuthenticated,
    OidcClient,
    PendingSignIn,
    SignInFailed,
    UnknownGroup,
)
from ankommen.shared.web.sessions import PageSession, PendingSignIns, SessionStore
from ankommen.shared.web.words import Places, Words

LANGUAGE_COOKIE = "ankommen_lang"
#: Binds a sign-in at the identity provider to the browser that started it (its ``state``).
SIGN_IN_COOKIE = "ankommen_sign_in"

#: Why the sign-in page is shown again (``?reason=`` of the redirect to it).
LOGIN_REASONS = frozenset({"login.invalid", "login.forbidden", "login.empty",
                           "sign_in.expired", "sign_in.failed", "sign_in.unknown_group",
                           "reauth.form_kept", "reauth.other_person", "reauth.not_fresh"})
#: What a re-authentication may be asked for: an action, and what it is confirmed for once
#: per session (a purpose) — words from fixed lists, never personal data.
REAUTH_KEY = re.compile(r"[a-z_]{1,32}(:[a-z_]{1,32})?")
SERVICE_NAME = re.compile(r"[a-z]{1,32}")


def session_cookie(service: str) -> str:
    """The name of ``service``'s session cookie, e.g. ``ankommen_intake_session``.

    One name per service: browsers keep cookies per host name, not per port, so services
    served on one host name (``make run``: 127.0.0.1 with a port each) would otherwise
    overwrite each other's session, and signing in at one would sign the person out of the
    others (docs/security.md)."""
    if not SERVICE_NAME.fullmatch(service):
        raise ValueError(f"not a service name: {service!r}")
    return f"ankommen_{service}_session"


class LoginRequired(Exception):
    """Raised by page guards; answered with a redirect to the login page."""

    def __init__(self, next_path: str, reason: str | None = None,
                 kept_form: str | None = None) -> None:
        self.next_path = next_path
        self.reason = reason
        #: The id of the posted form kept for after the sign-in (its cookie's value).
        self.kept_form = kept_form


#: A link of the top navigation: (path, catalogue key), or (path, key, roles) for a page only
#: those roles may open.
NavigationItem = tuple[str, str] | tuple[str, str, frozenset[Role]]
#: What a page's template is given besides the frame's own names (``t``, ``words``,
#: ``principal`` …): any value by name, as Jinja2 takes it.
TemplateContext = Mapping[str, Any]


class Pages:
    """The templates of one service inside the shared frame."""

    def __init__(self, service_package: str, *, service_title: str,
                 navigation: Sequence[NavigationItem] = (),
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

    def render(self, request: Request, template: str, context: TemplateContext | None = None,
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


@dataclass(frozen=True)
class Reauthentication:
    """Which actions ask for the password again, and how recent an entry of it suffices."""

    clock: Clock
    window: timedelta
    actions: frozenset[str]


@dataclass(frozen=True)
class OidcSignIn:
    """What sign-in through the identity provider needs: the client, the sessions and the
    flows under way; re-authentication before sensitive actions, when configured."""

    client: OidcClient
    sessions: SessionStore
    pending: PendingSignIns
    reauth: Reauthentication | None = None


class PageAuth:
    """Sign-in for the pages of one service: through the identity provider when ``oidc`` is
    given, else by pasted token."""

    def __init__(self, authenticator: Authenticator, pages: Pages, *, service: str,
                 secure_cookies: bool, login_rate_limit: str = "10/minute",
                 oidc: OidcSignIn | None = None, kept_forms: KeptForms | None = None) -> None:
        self._auth = authenticator
        #: This service's own session cookie (:func:`session_cookie`).
        self._cookie = session_cookie(service)
        self._pages = pages
        self._secure = secure_cookies
        self._login_limit = RateLimit("sign-in", login_rate_limit)
        self._oidc = oidc
        self._kept_forms = kept_forms
        #: Route paths (as declared, e.g. ``/ui/cases/{case_id}/survey``) whose posts are kept
        #: when the session has ended.
        self._keeping: set[str] = set()

    def keep_forms_on(self, *route_paths: str) -> None:
        """Posts to these pages keep their fields across a sign-in (see
        :mod:`ankommen.shared.web.kept_forms`); the page's GET takes them back with
        :meth:`kept_form`."""
        self._keeping.update(route_paths)

    def kept_form(self, request: Request) -> FormFields | None:
        """The fields this browser posted to this page before signing in again, once."""
        form_id = request.cookies.get(KEPT_FORM_COOKIE)
        if not form_id or self._kept_forms is None:
            return None
        return self._kept_forms.take(form_id, request.url.path)

    def _keep_cookie(self, request: Request, response: Response, form_id: str) -> None:
        assert self._kept_forms is not None
        # Lax: the way back from the identity provider is a cross-site navigation.
        response.set_cookie(KEPT_FORM_COOKIE, form_id, httponly=True, samesite="lax",
                            max_age=int(self._kept_forms.lifetime.total_seconds()),
                            secure=self._secure or request.url.scheme == "https")

    async def _login_required(self, request: Request, here: str, reason: str | None
                              ) -> LoginRequired:
        """To the sign-in page; a post to a form-keeping page keeps its fields first."""
        route = request.scope.get("route")
        if (request.method == "POST" and self._kept_forms is not None
                and getattr(route, "path", None) in self._keeping):
            form_id = self._kept_forms.keep(request.url.path, await _posted_fields(request))
            if form_id is not None:
                return LoginRequired(request.url.path, "reauth.form_kept", kept_form=form_id)
        return LoginRequired(here, reason)

    def recent_sign_in(self, request: Request, action: str, *, back_to: str,
                       once_for: str | None = None, form: FormFields | None = None
                       ) -> Response | None:
        """``None`` when ``action`` may go ahead; else the way through the identity provider
        for the password again (``prompt=login``), ``form`` kept for ``back_to`` meanwhile.

        An action needs a password entered within the configured window; with ``once_for``
        (a purpose) it is asked once per session for each value. Without the identity
        provider (token sign-in, development only) or for actions not configured, nothing is
        asked: a pasted token proves no person at the keyboard, so asking for it again would
        only look like a check (docs/security.md)."""
        policy = self._oidc.reauth if self._oidc else None
        if self._oidc is None or policy is None or action not in policy.actions:
            return None
        key = f"{action}:{once_for}" if once_for else action
        session_id = request.cookies.get(self._cookie, "")
        session = self._oidc.sessions.use(session_id) if session_id else None
        if session is None:
            raise LoginRequired(back_to, "sign_in.expired")
        if once_for and key in session.confirmed:
            return None
        if _recent(session, policy):
            if once_for:
                self._oidc.sessions.confirm(session_id, key)
            return None
        response = RedirectResponse(f"/auth/start?next={quote(back_to)}&reauth={quote(key)}",
                                    status_code=status.HTTP_303_SEE_OTHER)
        form_id = self._kept_forms.keep(back_to, form) \
            if form is not None and self._kept_forms is not None else None
        if form_id is not None:
            self._keep_cookie(request, response, form_id)
        return response

    async def _principal(self, cookie: str) -> Principal:
        """The principal behind the session cookie, or :class:`InvalidToken`."""
        if self._oidc is None:
            return await self._auth.verify_async(cookie)
        session = self._oidc.sessions.use(cookie)
        if session is None:
            raise InvalidToken("the session has ended")
        return session.principal

    def relay_token(self, request: Request) -> str | None:
        """The signed-in person's own bearer token for asking another of our services on
        their behalf (progress asks intake for names): the pasted token itself, or, signed in
        through the identity provider, the access token the session keeps (token relay)."""
        cookie = request.cookies.get(self._cookie)
        if not cookie:
            return None
        if self._oidc is None:
            return cookie
        session = self._oidc.sessions.use(cookie)
        return session.access_token if session is not None else None

    # Any, as FastAPI's Depends(): a parameter's default or Annotated's metadata.
    def require(self, *roles: Role) -> Any:
        """A page dependency: the signed-in principal with one of ``roles``, or to /login."""

        async def dependency(request: Request) -> Principal:
            return await self.signed_in(request, roles)

        return Depends(dependency)

    async def signed_in(self, request: Request, roles: Collection[Role]) -> Principal:
        """The principal signed in for ``request`` if it has one of ``roles``; else raises
        :class:`LoginRequired` (the redirect to /login)."""
        session = request.cookies.get(self._cookie)
        # Back to the page as it was asked for, query included (a letter's referral code).
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not session:
            raise await self._login_required(request, here, None)
        try:
            principal = await self._principal(session)
        except InvalidToken:
            raise await self._login_required(
                request, here, "sign_in.expired" if self._oidc else "login.invalid"
            ) from None
        if principal.role not in roles:
            raise LoginRequired(here, "login.forbidden")
        return principal

    def install(self, app: FastAPI) -> None:
        """Login and logout routes, the redirect for guarded pages, and the shared assets;
        the app keeps this sign-in for page routes defined at module level
        (:func:`require_page_role`)."""
        app.state.page_auth = self
        app.mount("/static/shared", StaticFiles(packages=[("ankommen.shared.web", "static")]),
                  name="shared-static")
        router = APIRouter(include_in_schema=False)

        @app.exception_handler(LoginRequired)
        async def to_login(request: Request, error: LoginRequired) -> RedirectResponse:
            target = f"/login?next={quote(error.next_path)}"
            if error.reason:
                target += f"&reason={error.reason}"
            response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
            if error.kept_form:
                self._keep_cookie(request, response, error.kept_form)
            return response

        @router.get("/login", response_class=HTMLResponse, name="login_form")
        async def login_form(request: Request, next: str = "/", reason: str | None = None
                             ) -> HTMLResponse:
            # Only our own reasons: a link must not make the page say what its author wants.
            return self._pages.render(request, "login.html", {
                "next": _safe_next(next), "reason": reason if reason in LOGIN_REASONS else None,
                "oidc": self._oidc is not None})

        if self._oidc is not None:
            self._install_oidc(router, self._oidc)
            app.include_router(router)
            install_error_pages(app, self._pages)
            return

        @router.post("/login", dependencies=[Depends(self._login_limit)], responses=RATE_LIMITED)
        async def login(request: Request, token: Annotated[str, Form(max_length=4096)] = "",
                        next: Annotated[str, Form()] = "/") -> Response:
            if not token.strip():
                return self._pages.render(request, "login.html", {
                    "next": _safe_next(next), "reason": "login.empty"}, status_code=400)
            try:
                await self._auth.verify_async(token.strip())
            except InvalidToken:
                return self._pages.render(request, "login.html", {
                    "next": _safe_next(next), "reason": "login.invalid"}, status_code=401)
            response = RedirectResponse(_safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
            response.set_cookie(self._cookie, token.strip(), httponly=True, samesite="strict",
                                secure=self._secure or request.url.scheme == "https",
                                max_age=12 * 3600)
            return response

        @router.post("/logout")
        async def logout() -> RedirectResponse:
            response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
            response.delete_cookie(self._cookie, httponly=True, samesite="strict",
                                   secure=self._secure)
            return response

        app.include_router(router)
        install_error_pages(app, self._pages)


    def _install_oidc(self, router: APIRouter, oidc: OidcSignIn) -> None:
        """/auth/start, /auth/callback and a /logout that signs out at the provider too."""

        def failed(request: Request, reason: str, status_code: int, next_path: str = "/"
                   ) -> HTMLResponse:
            return self._pages.render(request, "login.html", {
                "next": next_path, "reason": reason, "oidc": True}, status_code=status_code)

        @router.get("/auth/start", dependencies=[Depends(self._login_limit)],
                    responses=RATE_LIMITED)
        async def start(request: Request, next: str = "/", reauth: str | None = None
                        ) -> Response:
            redirect_uri = str(request.url_for("oidc_callback"))
            url, pending = await oidc.client.start(redirect_uri, _safe_next(next),
                                                   reauth=self._reauth_request(request, reauth))
            oidc.pending.keep(pending.state, pending)
            response = RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)
            # The flow belongs to this browser: a callback URL someone else started (to sign
            # a victim in as the attacker) finds no such cookie in the victim's browser.
            response.set_cookie(SIGN_IN_COOKIE, pending.state, max_age=600, httponly=True,
                                samesite="lax", path="/auth/callback",
                                secure=self._secure or request.url.scheme == "https")
            return response

        @router.get("/auth/callback", name="oidc_callback",
                    dependencies=[Depends(self._login_limit)], responses=RATE_LIMITED)
        async def callback(request: Request, state: str = "", code: str = "",
                           iss: str | None = None, error: str | None = None) -> Response:
            started_here = secrets.compare_digest(
                request.cookies.get(SIGN_IN_COOKIE, "").encode(), state.encode())
            pending = oidc.pending.take(state) if state and started_here else None
            if not isinstance(pending, PendingSignIn) or error or not code:
                return failed(request, "sign_in.failed", 400)
            try:
                signed_in = await oidc.client.finish(pending, code, iss=iss)
            except UnknownGroup:
                return failed(request, "sign_in.unknown_group", 403, pending.next_path)
            except NotFreshlyAuthenticated:
                return failed(request, "reauth.not_fresh", 403, pending.next_path)
            except SignInFailed:
                return failed(request, "sign_in.failed", 400, pending.next_path)
            previous_id = request.cookies.get(self._cookie)
            previous = oidc.sessions.use(previous_id) if previous_id else None
            confirmed: frozenset[str] = frozenset()
            if pending.reauth_action:
                subject = signed_in.principal.subject
                if pending.reauth_subject != subject or (
                        previous is not None and previous.principal.subject != subject):
                    # Someone else typed their password: the action stays the signed-in
                    # person's, who is neither replaced nor confirmed.
                    return failed(request, "reauth.other_person", 403, pending.next_path)
                confirmed = (previous.confirmed if previous else frozenset[str]()) | {
                    pending.reauth_action}
            if previous_id:
                oidc.sessions.revoke(previous_id)  # a new session id at every sign-in
            now = oidc.reauth.clock.now() if oidc.reauth else None
            session_id = oidc.sessions.open(
                signed_in.principal, name=signed_in.name, confirmed=confirmed,
                access_token=signed_in.access_token,
                authenticated_at=now - signed_in.authenticated_ago
                if now is not None and signed_in.authenticated_ago is not None else None)
            response = RedirectResponse(pending.next_path,
                                        status_code=status.HTTP_303_SEE_OTHER)
            response.delete_cookie(SIGN_IN_COOKIE, path="/auth/callback", httponly=True,
                                   samesite="lax", secure=self._secure)
            # Lax, not Strict: the way back from the provider is a cross-site redirect, and
            # the first page after it must see the session.
            response.set_cookie(self._cookie, session_id, httponly=True, samesite="lax",
                                secure=self._secure or request.url.scheme == "https")
            return response

        @router.post("/logout")
        async def logout(request: Request) -> RedirectResponse:
            session = request.cookies.get(self._cookie)
            if session:
                oidc.sessions.revoke(session)
            response = RedirectResponse("/auth/signed-out",
                                        status_code=status.HTTP_303_SEE_OTHER)
            response.delete_cookie(self._cookie, httponly=True, samesite="lax",
                                   secure=self._secure)
            return response

        @router.get("/auth/signed-out", response_class=HTMLResponse)
        async def signed_out(request: Request) -> HTMLResponse:
            # On to the provider's end-session endpoint by a page, not by a redirect of the
            # sign-out form: the pages' Content-Security-Policy allows forms to post only to
            # this service (form-action 'self'), and that covers a form's redirects too. No
            # ID token in the URL (it names the person): the client id identifies us.
            end_session_url = await oidc.client.end_session_url(
                str(request.url_for("login_form")))
            return self._pages.render(request, "signed_out.html",
                                      {"end_session_url": end_session_url})


    def _reauth_request(self, request: Request, key: str | None
                        ) -> tuple[str, str, int] | None:
        """(action, subject, max_age) when ``key`` names a configured action and a session
        asks; anything else starts an ordinary sign-in (a link cannot make it more)."""
        policy = self._oidc.reauth if self._oidc else None
        if not key or policy is None or self._oidc is None or not REAUTH_KEY.fullmatch(key) \
                or key.split(":")[0] not in policy.actions:
            return None
        session_id = request.cookies.get(self._cookie)
        session = self._oidc.sessions.use(session_id) if session_id else None
        if session is None:
            return None
        return key, session.principal.subject, int(policy.window.total_seconds())


def _recent(session: PageSession, policy: Reauthentication) -> bool:
    """Whether the person entered their password within the policy's window."""
    return session.authenticated_at is not None and \
        policy.clock.now() - session.authenticated_at <= policy.window


async def _posted_fields(request: Request) -> FormFields:
    """A posted form's fields (``name[]`` ones as lists), without its CSRF token."""
    data = await request.form()
    return {key: [str(value) for value in data.getlist(key)] if key.endswith("[]")
            else str(data.get(key) or "") for key in data if key != "csrftoken"}


def is_page_request(request: Request) -> bool:
    """Whether a person's browser asked for a page: a matched route that is a page (pages are
    left out of the OpenAPI schema), or, where no route matched, a browser asking for HTML."""
    route = request.scope.get("route")
    if route is not None and hasattr(route, "include_in_schema"):
        return not route.include_in_schema
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept


Handler = Callable[[Request, Exception], Awaitable[Response]]
#: A handler as FastAPI keeps it (``app.exception_handlers``): it may answer without awaiting.
InstalledHandler = Callable[[Request, Any], Response | Awaitable[Response]]


# Any, as FastAPI's Depends(): a parameter's default or Annotated's metadata.
def require_page_role(*roles: Role) -> Any:
    """:meth:`PageAuth.require` for page routes defined at module level, before any service is
    built: the sign-in is the one the serving app installed (:meth:`PageAuth.install`)."""

    async def dependency(request: Request) -> Principal:
        auth: PageAuth = request.app.state.page_auth
        return await auth.signed_in(request, roles)

    return Depends(dependency)


def install_error_pages(app: FastAPI, pages: Pages) -> None:
    """Refusals on page routes as pages in the reader's language; the API's stay problem
    details (the handlers installed before are kept for them)."""
    api: dict[type[Exception], InstalledHandler] = {
        kind: app.exception_handlers[kind]
        for kind in (RequestValidationError, DomainError, StarletteHTTPException)}

    def page(kind: type[Exception]) -> Handler:
        async def handler(request: Request, error: Exception) -> Response:
            if not is_page_request(request):
                answer = api[kind](request, error)
                return await answer if isinstance(answer, Awaitable) else answer
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


def _field_name(location: FieldLocation) -> str:
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
