"""Asking intake for the names of a provider's participants — the only way progress learns
them, and it does not keep them.

The provider pages call intake's ``POST /disclosures/contacts`` server-side with the
provider's *own* bearer token, so intake decides (confirmed placement, consent) and audits
the disclosure as made to that provider. Referral codes travel in the request body, names in
the response body; neither appears in URLs, logs or spans. When intake is not configured, slow
or unreachable, the answer is ``None`` and the page says that names are unavailable.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

logger = logging.getLogger(__name__)

#: Intake answers at most this many codes per request.
CODES_PER_REQUEST = 500


@dataclass(frozen=True)
class Contact:
    family_name: str
    given_names: str
    phone: str | None = None
    email: str | None = None


class IntakeContacts:
    def __init__(self, base_url: str | None, timeout_seconds: float = 3.0) -> None:
        self._base_url = base_url.rstrip("/") if base_url else None
        self._timeout = timeout_seconds

    @property
    def configured(self) -> bool:
        return self._base_url is not None

    async def contacts(self, bearer_token: str, referral_codes: Sequence[str]
                       ) -> dict[str, Contact] | None:
        """Referral code → what intake disclosed; None when intake could not be asked."""
        if self._base_url is None:
            return None
        found: dict[str, Contact] = {}
        codes = sorted(set(referral_codes))
        try:
            async with httpx.AsyncClient(base_url=self._base_url, timeout=self._timeout) as client:
                for start in range(0, len(codes), CODES_PER_REQUEST):
                    response = await client.post(
                        "/disclosures/contacts",
                        json={"referral_codes": codes[start:start + CODES_PER_REQUEST]},
                        headers={"Authorization": f"Bearer {bearer_token}"})
                    response.raise_for_status()
                    for item in response.json()["contacts"]:
                        found[item["referral_code"]] = Contact(
                            family_name=item["family_name"], given_names=item["given_names"],
                            phone=item.get("phone"), email=item.get("email"))
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            # The error's type and status only: its text could carry a response body.
            status = getattr(getattr(error, "response", None), "status_code", None)
            logger.warning("intake did not disclose contact details; names not shown",
                           extra={"error": type(error).__name__, "status": status})
            return None
        return found
