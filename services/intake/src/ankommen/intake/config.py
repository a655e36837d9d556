"""Settings of the intake service (environment prefix ``ANKOMMEN_INTAKE_``).

Two keys of its own besides the shared ones: the *master key* that wraps every person's data
key (from the environment or, better, a key file that only the service can read), and the
*blind-index key* for the keyed hashes used to find duplicates. Both have development defaults
that anyone can read here, so the production profile refuses them.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.disclosure import DisclosurePolicy
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.settings import RATE_LIMIT_PATTERN, ServiceSettings

#: base64 of the 32 bytes ``ankommen-development-master-key!``.
DEVELOPMENT_MASTER_KEY = base64.b64encode(b"ankommen-development-master-key!").decode()
DEVELOPMENT_BLIND_INDEX_KEY = "development-only-blind-index-key-change-me-0123456789"


def decode_master_key(value: str) -> bytes:
    """A master key is 32 random bytes, written in base64."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("must be base64") from None
    if len(key) != 32:
        raise ValueError("must be base64 of exactly 32 bytes")
    return key


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_INTAKE_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "intake"
    default_http_port: ClassVar[int] = 8101

    #: The current master key (base64 of 32 bytes); ignored when ``master_key_file`` is set.
    master_key: SecretStr = SecretStr(DEVELOPMENT_MASTER_KEY)
    #: A file holding the current master key (base64), e.g. a mounted secret.
    master_key_file: Path | None = None
    #: Master keys being rotated away from (comma-separated base64): still unwrap, never wrap.
    previous_master_keys: SecretStr = SecretStr("")
    #: Key of the HMAC blind indexes; changing it makes existing indexes unfindable.
    blind_index_key: SecretStr = SecretStr(DEVELOPMENT_BLIND_INDEX_KEY)
    #: How many candidates a duplicate check decrypts and scores at most.
    duplicate_candidate_limit: int = Field(50, ge=1, le=500)
    #: Searches per client address: a search answers whether a person is known, so it must
    #: not be usable for guessing through names and birth dates.
    search_rate_limit: str = Field("60/minute", pattern=RATE_LIMIT_PATTERN)
    #: Days before a course's first day from which its provider may see the contact details
    #: of its confirmed participants (to invite them to the first lesson); until the course's
    #: last day. 0: only from the first day.
    disclosure_lead_days: int = Field(14, ge=0, le=90)
    #: The sender printed at the top of every invitation letter (the county's office that
    #: runs intake), e.g. "Landkreis Heidekreis – Integrationskoordination".
    letter_sender: str = Field("ankommen – Koordinierung der Integrationskurse",
                               min_length=1, max_length=120)

    @property
    def disclosure_policy(self) -> DisclosurePolicy:
        return DisclosurePolicy(self.districts, timedelta(days=self.disclosure_lead_days))

    @field_validator("master_key")
    @classmethod
    def _master_key_is_32_bytes(cls, value: SecretStr) -> SecretStr:
        decode_master_key(value.get_secret_value())
        return value

    @field_validator("previous_master_keys")
    @classmethod
    def _previous_keys_are_32_bytes(cls, value: SecretStr) -> SecretStr:
        for part in value.get_secret_value().split(","):
            if part.strip():
                decode_master_key(part)
        return value

    def development_secrets(self) -> dict[str, str]:
        secrets = {**super().development_secrets(),
                   "blind_index_key": DEVELOPMENT_BLIND_INDEX_KEY}
        if self.master_key_file is None:
            secrets["master_key"] = DEVELOPMENT_MASTER_KEY
        return secrets

    def current_master_key(self) -> bytes:
        if self.master_key_file is not None:
            return decode_master_key(self.master_key_file.read_text())
        return decode_master_key(self.master_key.get_secret_value())

    def retired_master_keys(self) -> list[bytes]:
        return [decode_master_key(part) for part in
                self.previous_master_keys.get_secret_value().split(",") if part.strip()]


#: The runtime as intake's code sees it: its settings typed as :class:`IntakeSettings`, its
#: units of work as :class:`IntakeUnitOfWork` (with intake's repositories).
IntakeRuntime = ServiceRuntime[IntakeSettings, IntakeUnitOfWork]
