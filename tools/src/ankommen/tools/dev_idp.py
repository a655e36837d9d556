"""The development identity provider in the embedded stack (issue 20, item 4): ``ankommen run``
starts ``deploy/dev-idp`` (panva's certified oidc-provider, run by Node.js) next to the
services and points their pages at it, so that a newcomer signs in with a user name —
``intake``, ``koordination``, ``traeger-vhs``, ``monitoring``, ``admin`` (password
``entwicklung``) — the way a county's staff sign in at the county's own provider.

Development only: the production profile never starts it (a county runs Keycloak, ADFS or
Entra ID and sets the services' ``…_OIDC_*`` settings, see docker-compose.yml). Not installed
(no Node.js, or ``make dev-idp`` not run), ``ankommen run`` says so and the pages keep the
pasted-token sign-in. Each service's pages are a client of it with a development secret and
the redirect URIs of the ports the services actually have; its signing keys live in the data
dir, so a restart of the stack keeps them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from ankommen.tools.embedded import port_open, stop_process

#: Where the provider's code is: the repository's ``deploy/dev-idp`` (``make dev-idp``).
DEV_IDP_DIR = Path(__file__).resolve().parents[4] / "deploy" / "dev-idp"
#: The ready-made users (their groups are in ``deploy/dev-idp/server.js``) and their password.
USERS = ("intake", "koordination", "traeger-vhs", "monitoring", "admin")
PASSWORD = "entwicklung"
#: The development provider's groups mapped to our roles, as a county maps its own.
ROLE_MAPPING = {"ankommen-intake": "intake_staff", "ankommen-koordination": "coordinator",
                "ankommen-traeger": "provider", "ankommen-monitoring": "monitoring_viewer",
                "ankommen-admin": "admin"}


def unavailable_reason(folder: Path = DEV_IDP_DIR) -> str | None:
    """Why the provider cannot run here, or ``None`` when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed (make dev-idp installs Debian's nodejs)"
    if not (folder / "node_modules" / "oidc-provider").is_dir():
        return "its packages are not installed (make dev-idp)"
    return None


def client_secret(service: str) -> str:
    """The development secret of ``service``'s pages at the provider (never in production)."""
    return f"entwicklung-{service}"


@dataclass
class DevIdentityProvider:
    """The provider as a child process of ``ankommen run``, on ``127.0.0.1:port``."""

    data_dir: Path
    port: int
    #: Each service's HTTP port (the redirect URIs name them).
    services: dict[str, int]
    folder: Path = DEV_IDP_DIR
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def _state(self) -> Path:
        return self.data_dir / "dev-idp"

    def _write_clients(self) -> Path:
        pages: list[dict[str, str | list[str]]] = []
        for service, port in self.services.items():
            hosts = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
            pages.append({"client_id": f"ankommen-{service}",
                          "client_secret": client_secret(service),
                          "redirect_uris": [f"{host}/auth/callback" for host in hosts],
                          "post_logout_redirect_uris": [f"{host}/login" for host in hosts]})
        systems = [{"client_id": "vhs-heidekreis-system",
                    "client_secret": client_secret("vhs-heidekreis-system"),
                    "provider_id": "vhs-heidekreis"}]
        clients = self._state / "clients.json"
        clients.write_text(json.dumps({"pages": pages, "systems": systems}, indent=2))
        return clients

    def start(self, timeout: float = 20.0) -> DevIdentityProvider:
        """Start it and wait until its discovery document answers."""
        if port_open("127.0.0.1", self.port):
            raise RuntimeError(f"127.0.0.1:{self.port} is already in use: stop what runs there "
                               "or set ANKOMMEN_DEV_IDP_PORT to a free port")
        self._state.mkdir(parents=True, exist_ok=True)
        clients = self._write_clients()
        with open(self._state / "idp.log", "ab") as log:
            self.process = subprocess.Popen(
                ["node", "server.js"], cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "ANKOMMEN_IDP_PORT": str(self.port),
                     "ANKOMMEN_IDP_ISSUER": self.issuer,
                     "ANKOMMEN_IDP_KEYS": str(self._state / "jwks.json"),
                     "ANKOMMEN_IDP_CLIENTS": str(clients)})
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"it exited with code {self.process.returncode} (see "
                                   f"{self._state / 'idp.log'})")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"it did not answer within {timeout:.0f} s")
            time.sleep(0.05)
        return self

    def _answers(self) -> bool:
        import httpx  # noqa: PLC0415 - only where the provider is started

        try:
            response = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def service_environment(self, service: str) -> dict[str, str]:
        """``service``'s settings that point its pages (and its API, for provider systems'
        and relayed tokens) at this provider."""
        prefix = f"ANKOMMEN_{service.upper()}_OIDC_"
        return {f"{prefix}ISSUER": self.issuer, f"{prefix}CLIENT_ID": f"ankommen-{service}",
                f"{prefix}CLIENT_SECRET": client_secret(service),
                f"{prefix}ROLE_MAPPING": json.dumps(ROLE_MAPPING)}

    def stop(self, timeout: float = 10.0) -> None:
        stop_process(self.process, timeout)
