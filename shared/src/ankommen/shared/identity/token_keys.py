"""The key material of API tokens: Ed25519 key pairs, read from PEM text or files.

Tokens are signed by one issuer (``ankommen token``) with its private key; the services are
given only public keys (see :mod:`ankommen.shared.identity.auth`). A key is named by its RFC 7638
thumbprint, which becomes the token's ``kid`` header: no operator has to invent key names, and
a service can trust several keys at once while a new one is rolled out.

Development (``make run``, a service started on its own) needs no setup: a key pair is made
once under the data dir (``var/token-keys``) and both sides find it there. It is never a key
in the repository, so no token minted with a published key is accepted anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.S)
#: Under the data dir: the development key pair, made on first use.
DEVELOPMENT_KEY_DIR = "token-keys"
SIGNING_KEY_FILE = "signing-key.pem"
PUBLIC_KEY_FILE = "public-key.pem"


class UnusableKey(ValueError):
    """A key setting that cannot be used; the message says why, without the key itself."""


def generate_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """The RFC 7638 JWK thumbprint of ``key`` (SHA-256, base64url): the token's ``kid``."""
    x = _base64url(key.public_bytes(Encoding.Raw, PublicFormat.Raw))
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"),
                         sort_keys=True)
    return _base64url(hashlib.sha256(members.encode()).digest())


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pem_text(value: str) -> str:
    """``value`` itself when it holds PEM text, else the content of the file it names."""
    if "-----BEGIN" in value:
        return value
    path = Path(value.strip()).expanduser()
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise UnusableKey(f"neither PEM text nor a readable PEM file: {path} "
                          f"({type(error).__name__})") from None


def load_public_keys(value: str) -> list[Ed25519PublicKey]:
    """Every public key in ``value`` (PEM text or a file): one normally, two during a key
    rotation (the new key's block after the old one's)."""
    blocks = list(_PEM_BLOCK.finditer(_pem_text(value)))
    if not blocks:
        raise UnusableKey("no PEM block (-----BEGIN PUBLIC KEY-----) found")
    keys: list[Ed25519PublicKey] = []
    for match in blocks:
        if match[1] != "PUBLIC KEY":
            # A private key here would hand the services the power to mint tokens.
            raise UnusableKey(f"holds a {match[1]} block; the services get public keys only")
        try:
            key = load_pem_public_key(match[0].encode())
        except (ValueError, UnsupportedAlgorithm):
            raise UnusableKey("a PEM block is not a readable public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise UnusableKey(f"{type(key).__name__.removeprefix('_')} is not an Ed25519 key")
        keys.append(key)
    return keys


def load_signing_key(value: str) -> Ed25519PrivateKey:
    """The issuer's private key from ``value`` (PEM text or a file, unencrypted PKCS#8)."""
    blocks = list(_PEM_BLOCK.finditer(_pem_text(value)))
    if len(blocks) != 1 or blocks[0][1] != "PRIVATE KEY":
        raise UnusableKey("must hold exactly one -----BEGIN PRIVATE KEY----- block")
    try:
        key = load_pem_private_key(blocks[0][0].encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UnusableKey("not a readable unencrypted private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UnusableKey(f"{type(key).__name__.removeprefix('_')} is not an Ed25519 key")
    return key


@dataclass(frozen=True)
class DevelopmentKeys:
    """Where the development key pair lives."""

    signing_key_file: Path
    public_key_file: Path


def development_keys(data_dir: Path) -> DevelopmentKeys:
    """The data dir's key pair, made on first use.

    ``make run`` starts four services at once, each of which may get here first: the pair is
    written into a fresh folder that is then renamed into place in one step, so every process
    ends up with the same pair (a loser's rename fails and it reads the winner's).
    """
    folder = data_dir / DEVELOPMENT_KEY_DIR
    keys = DevelopmentKeys(folder / SIGNING_KEY_FILE, folder / PUBLIC_KEY_FILE)
    if keys.public_key_file.exists():
        return keys
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".token-keys-", dir=data_dir))
    try:
        key = generate_signing_key()
        signing = staging / SIGNING_KEY_FILE
        signing.touch(mode=0o600)
        signing.write_text(private_pem(key), encoding="ascii")
        (staging / PUBLIC_KEY_FILE).write_text(public_pem(key.public_key()), encoding="ascii")
        try:
            os.rename(staging, folder)
        except OSError:
            if not keys.public_key_file.exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return keys
