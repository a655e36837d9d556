"""The development identity provider (``deploy/dev-idp``: panva's certified oidc-provider) as
a plain process on a free port, for tests that sign in the way a county's staff do.

It is started with its own key file and its own clients (each service's pages with the
redirect URIs the test gives, and one client-credentials client per provider system), and is
ready when its discovery document answers (polled with a deadline, never a fixed sleep).
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import httpx

from ankommen.tools import dev_idp
from ankommen.tools.embedded import free_port

DEV_IDP = dev_idp.DEV_IDP_DIR
#: Every ready-made user's password and how their groups map to our roles (development only,
#: see deploy/dev-idp/server.js; ``make run`` uses the same).
PASSWORD = dev_idp.PASSWORD
ROLE_MAPPING = dev_idp.ROLE_MAPPING


@dataclass(frozen=True)
class PageClient:
    """A service's pages as a client of the provider."""

    client_id: str
    client_secret: str
    #: The service's base URL, e.g. ``http://127.0.0.1:8101``.
    base_url: str


@dataclass
class IdentityProvider:
    """A running provider: its issuer URL and the clients it knows."""

    issuer: str
    keys_file: Path
    pages: list[PageClient] = field(default_factory=list)
    process: subprocess.Popen | None = None

    def settings(self, client: PageClient) -> dict[str, str]:
        """The settings (keywords of a service's settings) that point it at this provider."""
        return oidc_settings(self.issuer, client)

    def rotate_keys(self) -> None:
        """A new signing key in front, the old one still published; the provider reads its
        keys at start, so it is restarted by the caller (see :func:`running_identity_provider`)."""
        subprocess.run(["node", "server.js", "--rotate"], cwd=DEV_IDP, check=True,
                       env={**os.environ, "ANKOMMEN_IDP_KEYS": str(self.keys_file)},
                       capture_output=True)


def oidc_settings(issuer: str, client: PageClient) -> dict[str, str]:
    """A service's settings for signing in at ``issuer`` as ``client`` (as keywords; the
    environment's names are these upper-cased behind the service's prefix)."""
    return {"oidc_issuer": issuer, "oidc_client_id": client.client_id,
            "oidc_client_secret": client.client_secret,
            "oidc_role_mapping": json.dumps(ROLE_MAPPING)}


def page_client(service: str, base_url: str) -> PageClient:
    return PageClient(f"ankommen-{service}", f"test-secret-{service}", base_url.rstrip("/"))


def system_secret(provider_id: str) -> str:
    return f"test-secret-{provider_id}"


async def sign_in_by_form(browser: httpx.AsyncClient, page_url: str, user: str
                          ) -> httpx.Response:
    """Open ``page_url``, follow the sign-in link to the provider's login form and sign in as
    ``user``: the page it leads back to (``browser`` follows redirects as a browser does)."""
    login = await browser.get(page_url)
    start = re.search(r'href="(/auth/start\?next=[^"]+)"', login.text)
    assert start, login.text[:2000]
    form = await browser.get(urljoin(str(login.url), html.unescape(start.group(1))))
    action = re.search(r'<form method="post" action="(/interaction/[^"]+/login)"', form.text)
    assert action, form.text[:2000]
    return await browser.post(urljoin(str(form.url), action.group(1)),
                              data={"login": user, "password": PASSWORD})


def installed() -> bool:
    """Whether ``make dev-idp`` (``npm ci``) has run."""
    return (DEV_IDP / "node_modules" / "oidc-provider").is_dir()


@contextmanager
def running_identity_provider(folder: Path, pages: list[PageClient], *,
                              systems: list[str] | None = None,
                              port: int | None = None, timeout: float = 20.0
                              ) -> Iterator[IdentityProvider]:
    """Start the provider on ``port`` (a free one by default) and stop it afterwards.

    ``systems`` are the provider ids whose systems are clients (client credentials): each
    ``<provider id>-system`` with the secret :func:`system_secret`."""
    if not installed():
        raise RuntimeError("the development identity provider is not installed: make dev-idp")
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    clients = folder / "idp-clients.json"
    clients.write_text(json.dumps({
        "pages": [{"client_id": client.client_id, "client_secret": client.client_secret,
                   "redirect_uris": [f"{client.base_url}/auth/callback"],
                   "post_logout_redirect_uris": [f"{client.base_url}/login"]}
                  for client in pages],
        "systems": [{"client_id": f"{provider_id}-system",
                     "client_secret": system_secret(provider_id), "provider_id": provider_id}
                    for provider_id in systems or ["vhs-heidekreis"]]}))
    provider = IdentityProvider(issuer=f"http://127.0.0.1:{port}",
                                keys_file=folder / "idp-keys.json", pages=pages)
    log = (folder / "idp.log").open("ab")
    provider.process = subprocess.Popen(
        ["node", "server.js"], cwd=DEV_IDP, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "ANKOMMEN_IDP_PORT": str(port), "ANKOMMEN_IDP_ISSUER": provider.issuer,
             "ANKOMMEN_IDP_KEYS": str(provider.keys_file), "ANKOMMEN_IDP_CLIENTS": str(clients)})
    try:
        _wait_until_ready(provider, timeout)
        yield provider
    finally:
        provider.process.terminate()
        try:
            provider.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            provider.process.kill()
            provider.process.wait()
        log.close()


def _wait_until_ready(provider: IdentityProvider, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"{provider.issuer}/.well-known/openid-configuration"
    while True:
        if provider.process is not None and provider.process.poll() is not None:
            raise RuntimeError(f"the identity provider exited ({provider.process.returncode})")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the identity provider did not answer within {timeout} s")
        time.sleep(0.05)
