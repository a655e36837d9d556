"""The secrets of a production Kafka, generated once by the operator: passwords and TLS.

``ankommen kafka-secrets DIR`` writes what docker-compose.yml mounts (docs/security.md):

- ``DIR/users/<user>``: a random password per principal — ``admin`` (the broker's super user,
  for the topics job), one per service, and ``provider-<id>`` for each provider given. Each
  service container gets only its own file; the topics job reads the folder to create the
  SCRAM credentials and ACLs;
- ``DIR/tls/ca.pem``: a self-signed CA, the only one the clients trust for the broker
  (``ANKOMMEN_KAFKA_CA_FILE``); its key ``ca-key.pem`` signs the broker's certificate and
  belongs off the host afterwards (keep it safe, it is needed for the next certificate);
- ``DIR/tls/broker.pem``: the broker's private key and certificate (for the broker's host
  names), in the PEM form Kafka reads as a key store (``ssl.keystore.type=PEM``).

Nothing existing is overwritten: running it again adds what is missing (a new provider's
password), so it is safe to repeat. An operator with a CA of their own puts its files there
instead of letting this generate them.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ankommen.shared.messaging.kafka_acls import ensure_credentials, principals

#: How long the broker's certificate is valid; the CA lives longer, so renewing the broker's
#: certificate needs no change on the clients.
BROKER_VALIDITY = datetime.timedelta(days=825)
CA_VALIDITY = datetime.timedelta(days=3650)


def _private(path: Path, data: bytes) -> None:
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_bytes(data)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    # PKCS#8 unencrypted: what Kafka's PEM key store reads without ssl.key.password.
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _subject_name(host: str) -> x509.GeneralName:
    """A host name, or an IP address (a broker on loopback is checked against its IP)."""
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def ensure_tls(folder: Path, hosts: Iterable[str], now: datetime.datetime | None = None
               ) -> Path:
    """A CA and a broker certificate for ``hosts`` in ``folder``, unless there already;
    returns the CA file."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, ca_key_file, broker_file = (folder / "ca.pem", folder / "ca-key.pem",
                                         folder / "broker.pem")
    now = now or datetime.datetime.now(datetime.UTC)
    if not ca_file.exists():
        ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ankommen Kafka CA")])
        ca = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
              .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now).not_valid_after(now + CA_VALIDITY)
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                           key_encipherment=False, data_encipherment=False,
                                           key_agreement=False, key_cert_sign=True,
                                           crl_sign=True, encipher_only=False,
                                           decipher_only=False), critical=True)
              .sign(ca_key, hashes.SHA256()))
        _private(ca_key_file, _pem_key(ca_key))
        ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    if not broker_file.exists():
        ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_file.read_bytes(), None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        names = list(hosts)
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + BROKER_VALIDITY)
            .add_extension(x509.SubjectAlternativeName([_subject_name(host) for host in names]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                  ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
        _private(broker_file, _pem_key(key) + certificate.public_bytes(
            serialization.Encoding.PEM) + ca_file.read_bytes())
    return ca_file


def ensure_secrets(folder: Path, hosts: Iterable[str], providers: Iterable[str] = ()
                   ) -> list[str]:
    """Passwords for every principal and the TLS files; returns the users."""
    users = principals(providers)
    ensure_credentials(folder / "users", users)
    ensure_tls(folder / "tls", hosts)
    return users
