"""Server-rendered pages, the same frame for every service: templates, German/English text,
login by token into a secure cookie, and security headers on every response; and the liveness
and readiness routes every service serves (:mod:`.health`)."""

from ankommen.shared.web.hardening import security_headers
from ankommen.shared.web.pages import PageAuth, Pages

__all__ = ["PageAuth", "Pages", "security_headers"]
