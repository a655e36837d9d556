"""The four services by name: their start order, the HTTP port each listens on unless told
otherwise, and which of them publish events.

Production code needs these too — the image's health check asks its service's port here
(deploy/Dockerfile), ``ankommen migrate`` walks the names — so they live in the shared library,
apart from the development stack that starts the services on one machine
(:mod:`ankommen.tools.embedded`, ``ankommen run``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: The services in start order, with the HTTP port each has unless
#: ``ANKOMMEN_<SERVICE>_HTTP_PORT`` says otherwise.
SERVICES: dict[str, int] = {"intake": 8101, "assignment": 8102, "progress": 8103,
                            "monitoring": 8104}

#: The services that publish events, each with an outbox that ``ankommen run`` relays in a
#: process of its own (``<service> relay``; monitoring only consumes). A test checks it
#: against the services' definitions, which this module may not import.
PUBLISHING_SERVICES: tuple[str, ...] = ("intake", "assignment", "progress")


def service_port(name: str, environ: Mapping[str, str] | None = None) -> int:
    """The HTTP port of service ``name``: ``ANKOMMEN_<SERVICE>_HTTP_PORT``, else its default."""
    environ = os.environ if environ is None else environ
    return int(environ.get(f"ANKOMMEN_{name.upper()}_HTTP_PORT", SERVICES[name]))
