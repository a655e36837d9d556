"""What assignment's routes depend on, typed, for routes defined at module level: the running
service (the runtime the app was built with, kept in ``app.state``) and the roles admitted.

The routes are declared once at import, before any service exists; each request finds its
service through the app serving it — so two services in one process (tests) never mix."""

import weakref
from typing import Annotated

from fastapi import Depends, Request

from ankommen.assignment.config import AssignmentRuntime
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.assignment.service.catalogue import APPROVERS
from ankommen.shared.identity.auth import Principal, Role, requires
from ankommen.shared.web import Pages
from ankommen.shared.web.pages import require_page_role
from ankommen.shared.web.words import Places


async def _runtime(request: Request) -> AssignmentRuntime:
    # ``async``: FastAPI runs a plain function dependency in its thread pool.
    runtime: AssignmentRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[AssignmentRuntime, Depends(_runtime)]

#: Coordinators and operators: the county's lists and allocation.
Staff = Annotated[Principal, requires(Role.COORDINATOR, Role.ADMIN)]
#: Who approves courses and decides on them (the county's coordinators).
Approvers = Annotated[Principal, requires(*APPROVERS)]
#: Everyone who works with the catalogue: providers with their own courses.
CatalogueUsers = Annotated[Principal, requires(Role.COORDINATOR, Role.ADMIN, Role.PROVIDER)]

#: The same on the pages (signed in through the service's page sign-in).
PageCoordinators = Annotated[Principal, require_page_role(Role.COORDINATOR, Role.ADMIN)]
PageApprovers = Annotated[Principal, require_page_role(*APPROVERS)]

_PLACES: weakref.WeakKeyDictionary[AssignmentRuntime, Places] = weakref.WeakKeyDictionary()


async def _places(runtime: Runtime) -> Places:
    """The region names of the service's settings, loaded once per service (on first use)."""
    if runtime not in _PLACES:
        _PLACES[runtime] = Places.of(runtime.settings)
    return _PLACES[runtime]


RegionNames = Annotated[Places, Depends(_places)]


async def _policy(runtime: Runtime) -> AllocationPolicy:
    return runtime.settings.allocation_policy


async def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


#: The service's pages (templates, frame, texts), kept in ``app.state`` by ``pages.install``.
ServicePages = Annotated[Pages, Depends(_pages)]


#: How the county allocates (its settings): priority, districts, allocation on events.
Policy = Annotated[AllocationPolicy, Depends(_policy)]
