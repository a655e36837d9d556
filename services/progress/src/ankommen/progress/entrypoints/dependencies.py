"""What progress's routes depend on, typed, for routes defined at module level: the running
service (the runtime the app was built with, kept in ``app.state``) and, for the provider
pages, their site — templates, sign-in and the intake client, built with the app.

The routes are declared once at import, before any service exists; each request finds its
service through the app serving it, so two services in one process (tests) never mix."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from ankommen.progress.adapters.intake_contacts import IntakeContacts
from ankommen.progress.adapters.pending_uploads import PendingUploads
from ankommen.progress.config import ProgressRuntime
from ankommen.shared.identity.auth import Principal, Role, requires
from ankommen.shared.web.pages import PageAuth, Pages


async def _runtime(request: Request) -> ProgressRuntime:
    # ``async``: FastAPI runs a plain function dependency in its thread pool.
    runtime: ProgressRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[ProgressRuntime, Depends(_runtime)]

#: A provider calling the API with its bearer token.
Provider = Annotated[Principal, requires(Role.PROVIDER)]


@dataclass(frozen=True)
class ProviderSite:
    """The provider pages' parts that are built with the app (from its settings)."""

    pages: Pages
    page_auth: PageAuth
    intake: IntakeContacts
    #: Previewed lists waiting for "Übernehmen".
    pending_uploads: PendingUploads
    #: The sign-in check for providers (``page_auth.require(Role.PROVIDER)``'s dependency).
    provider: Callable[[Request], Awaitable[Principal]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "provider", self.page_auth.require(Role.PROVIDER).dependency)

    def install(self, app: FastAPI) -> None:
        app.state.provider_site = self


async def _site(request: Request) -> ProviderSite:
    site: ProviderSite = request.app.state.provider_site
    return site


Site = Annotated[ProviderSite, Depends(_site)]


async def _provider_page(request: Request, site: Site) -> Principal:
    return await site.provider(request)


#: The provider signed in to the pages (else to the sign-in page, as ``page_auth.require``).
ProviderPage = Annotated[Principal, Depends(_provider_page)]
