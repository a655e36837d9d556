"""Authentication and role checks for every API: signed bearer tokens (JWT, HS256).

Tokens are issued by ``ankommen token`` (an operator command) and carry a role and, for course
providers, the provider id that scopes them to their own courses. All services share the token
secret, so a token issued once works on every service that grants its role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

ISSUER = "ankommen"
AUDIENCE = "ankommen"
ALGORITHM = "HS256"


class Role(StrEnum):
    """Who is calling (brief section 2)."""

    #: Foreigners' office, integration office, migration counselling: records arrivals.
    INTAKE_STAFF = "intake_staff"
    #: The county's education coordination: catalogue, allocation, waiting lists.
    COORDINATOR = "coordinator"
    #: A course provider, scoped by ``provider_id`` to its own courses.
    PROVIDER = "provider"
    #: Council, planning: anonymised statistics only.
    MONITORING_VIEWER = "monitoring_viewer"
    #: IT operations: keys, audit read-out, everything operational.
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    provider_id: str | None = None


class InvalidToken(ValueError):
    """The token is malformed, expired, or not signed with our secret."""


def issue_token(secret: str, role: Role, subject: str, *, provider_id: str | None = None,
                valid_for: timedelta = timedelta(hours=12)) -> str:
    if role is Role.PROVIDER and not provider_id:
        raise ValueError("a provider token needs a provider id")
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "role": role.value,
              "iat": now, "exp": now + valid_for}
    if provider_id:
        claims["provider_id"] = provider_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
                            issuer=ISSUER, options={"require": ["exp", "sub", "role"]})
        return Principal(subject=claims["sub"], role=Role(claims["role"]),
                         provider_id=claims.get("provider_id"))
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired") from None
    except (jwt.InvalidTokenError, ValueError, KeyError):
        raise InvalidToken("the token is not valid") from None


_bearer = HTTPBearer(auto_error=False, description="A token from `ankommen token ROLE`.")


class Authenticator:
    """FastAPI dependencies that authenticate the caller and check the role."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def verify(self, token: str) -> Principal:
        return verify_token(self._secret, token)

    def principal(self, credentials: HTTPAuthorizationCredentials | None) -> Principal:
        if credentials is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                                "authorization: a bearer token is required",
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            return verify_token(self._secret, credentials.credentials)
        except InvalidToken as error:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"authorization: {error}",
                                headers={"WWW-Authenticate": "Bearer"}) from None

    def require(self, *roles: Role):  # noqa: ANN201 - a FastAPI dependency
        """A dependency admitting callers with one of ``roles``."""

        def dependency(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                              Depends(_bearer)]) -> Principal:
            principal = self.principal(credentials)
            if principal.role not in roles:
                raise HTTPException(status.HTTP_403_FORBIDDEN,
                                    f"authorization: role {principal.role.value} may not do this")
            return principal

        return Depends(dependency)
