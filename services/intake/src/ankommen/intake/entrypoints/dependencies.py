"""What intake's routes receive from the application serving them, as typed dependencies:
the runtime (settings, clock, units of work, the token check), the keys that protect
identities, the staff pages and their sign-in, the caller checked for a role.

The routes are declared at module level (:mod:`.http`, :mod:`.pages`,
:mod:`.case_pages`, :mod:`.review_pages`, :mod:`.letters`), as
FastAPI's own examples and polar do; the running service reaches them through
``request.app.state``, where the shared ``create_app`` puts the runtime and the composition
root the rest (:func:`install`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, FastAPI, Request

from ankommen.intake.config import IntakeRuntime
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.identity.auth import Principal, Role, requires
from ankommen.shared.web.hardening import RateLimit
from ankommen.shared.web.pages import PageAuth, Pages, require_page_role


@dataclass(frozen=True)
class WebContext:
    """What the routes of one application share besides the runtime."""

    protection: IdentityProtection
    #: The staff pages (templates, translations).
    pages: Pages
    #: Searches per client address: a search answers whether a person is known, so it must
    #: not be usable for guessing through names and birth dates.
    search_limit: RateLimit
    #: The same for the case search page, counted apart: a clerk searches a few times a
    #: minute, a script enumerating names and birth dates many times more.
    search_page_limit: RateLimit
    #: Current municipalities only: a key merged away (Walsrode's before 2020) is refused.
    county: frozenset[str]


def install(app: FastAPI, runtime: IntakeRuntime, protection: IdentityProtection,
            pages: Pages) -> None:
    """Give the routes of ``app`` what they need (one search limit per application)."""
    app.state.intake_web = WebContext(
        protection, pages,
        RateLimit("case search", runtime.settings.search_rate_limit),
        RateLimit("case search page", runtime.settings.search_rate_limit),
        frozenset(option.code for option in runtime.settings.municipalities().options()))


# ``async``: FastAPI runs a plain function dependency in its thread pool.
async def _runtime(request: Request) -> IntakeRuntime:
    # Starlette's state holds anything; the shared create_app put intake's runtime there.
    return cast("IntakeRuntime", request.app.state.runtime)


async def _context(request: Request) -> WebContext:
    return cast("WebContext", request.app.state.intake_web)


async def _sign_in(request: Request) -> PageAuth:
    # PageAuth.install keeps the app's sign-in there (as shared require_page_role reads it).
    return cast("PageAuth", request.app.state.page_auth)


Runtime = Annotated[IntakeRuntime, Depends(_runtime)]
Context = Annotated[WebContext, Depends(_context)]
#: The staff pages' sign-in: forms kept across it, the password asked again for a purpose.
SignIn = Annotated[PageAuth, Depends(_sign_in)]


#: The caller, authenticated by the service's token check, with the role.
Staff = Annotated[Principal, requires(Role.INTAKE_STAFF)]
Admin = Annotated[Principal, requires(Role.ADMIN)]
Provider = Annotated[Principal, requires(Role.PROVIDER)]


#: Signed in to the staff pages as intake staff (the sign-in the app installed), else to /login.
StaffOnPage = Annotated[Principal, require_page_role(Role.INTAKE_STAFF)]


async def search_limit(request: Request, context: Context) -> None:
    """The application's limit on case searches (429 beyond it)."""
    await context.search_limit(request)
