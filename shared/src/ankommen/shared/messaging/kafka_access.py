"""How a process reaches Kafka: the bootstrap servers and the principal it authenticates as.

Kafka authorises by principal, so every client a service builds — the FastStream broker, the
outbox relay's producer, the admin clients of the topic guard and of monitoring's rebuild —
must present the same credentials; one client built without them would be refused (or, on an
open broker, would be anonymous). :class:`KafkaAccess` bundles what a client needs, and
:func:`client_options` turns it into aiokafka's keyword arguments, so no call site assembles
SASL settings on its own.

Three shapes, chosen by what is configured:

- no user name: ``PLAINTEXT``, no authentication (the memory-only Tansu fallback and the
  tests' open broker);
- a user name and password: ``SASL_PLAINTEXT`` with SCRAM-SHA-512 (``make run`` and the tests,
  on loopback only);
- and a CA file as well: ``SASL_SSL`` — TLS on the wire, the broker's certificate checked
  against that CA (production, where the broker is reached over a network).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faststream.security import BaseSecurity, SASLScram512

#: The only SASL mechanism ankommen uses: SCRAM keeps no password on the broker (only salted
#: hashes), and a credential can be added or changed while the broker runs.
SASL_MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True)
class KafkaAccess:
    """Bootstrap servers plus the principal's credentials (none: an open broker)."""

    bootstrap_servers: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    #: PEM file of the CA that signed the broker's certificate: with it, TLS (``SASL_SSL``).
    ca_file: Path | None = None

    @property
    def authenticated(self) -> bool:
        return self.username is not None

    @property
    def security_protocol(self) -> str:
        if not self.authenticated:
            return "SSL" if self.ca_file else "PLAINTEXT"
        return "SASL_SSL" if self.ca_file else "SASL_PLAINTEXT"

    def as_user(self, username: str, password: str) -> KafkaAccess:
        """The same broker as another principal (tests, the topics job's checks)."""
        return KafkaAccess(self.bootstrap_servers, username, password, self.ca_file)

    def ssl_context(self) -> ssl.SSLContext | None:
        if self.ca_file is None:
            return None
        # Verifies the broker's certificate and host name against the operator's CA only.
        return ssl.create_default_context(cafile=str(self.ca_file))

    def faststream_security(self) -> BaseSecurity | None:
        """FastStream's ``security=`` object for :class:`faststream.kafka.KafkaBroker`."""
        context = self.ssl_context()
        if not self.authenticated:
            return BaseSecurity(ssl_context=context) if context else None
        return SASLScram512(self.username or "", self.password or "", ssl_context=context,
                            use_ssl=context is not None)

    def __str__(self) -> str:
        who = f" as User:{self.username}" if self.username else ""
        return f"{self.bootstrap_servers} ({self.security_protocol}{who})"


def kafka_access(target: str | KafkaAccess) -> KafkaAccess:
    """``target`` as :class:`KafkaAccess`: a bare bootstrap string is an open broker."""
    return target if isinstance(target, KafkaAccess) else KafkaAccess(target)


def client_options(target: str | KafkaAccess) -> dict[str, Any]:
    """aiokafka keyword arguments (producer, consumer, admin client) for ``target``."""
    access = kafka_access(target)
    options: dict[str, Any] = {"bootstrap_servers": access.bootstrap_servers,
                               "security_protocol": access.security_protocol}
    context = access.ssl_context()
    if context is not None:
        options["ssl_context"] = context
    if access.authenticated:
        options.update(sasl_mechanism=SASL_MECHANISM, sasl_plain_username=access.username,
                       sasl_plain_password=access.password or "")
    return options
