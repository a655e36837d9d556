"""Errors as RFC 9457 problem details, the same on every service.

Domain errors carry their HTTP meaning (404, 409, 403 …); 422 is for payload validation and
names each field with its reason; a database that cannot be reached answers 503 with
Retry-After instead of a 500. No error body repeats submitted values, so personal data in a
request never comes back in an error or a log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """A rule of the domain was broken; ``status`` is its HTTP meaning."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


def problem(status: int, title: str, detail: str, *, headers: dict[str, str] | None = None,
            **extra: object) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(location: tuple[int | str, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(location[0] if location else "request")


ErrorT = TypeVar("ErrorT", bound=Exception)


def add_error_handler(app: FastAPI, kind: type[ErrorT],
                      handler: Callable[[Request, ErrorT], Awaitable[Response]]) -> None:
    """``app.add_exception_handler`` with the handler typed by the error it answers: Starlette
    types every handler as taking any ``Exception``, though it calls each only with errors of
    the class it was added for."""
    app.exception_handler(kind)(handler)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field(tuple(item["loc"])), "reason": item["msg"]}
                  for item in error.errors()]
        detail = "; ".join(f"{item['field']}: {item['reason']}" for item in errors)
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        if error.field:
            return problem(error.status, error.title, error.detail,
                           errors=[{"field": error.field, "reason": error.detail}])
        return problem(error.status, error.title, error.detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, HTTPStatus(error.status_code).phrase,
                       str(error.detail), headers=getattr(error, "headers", None))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(DBAPIError)
    @app.exception_handler(ConnectionError)
    @app.exception_handler(TimeoutError)
    async def database_unavailable(_: Request, error: Exception) -> JSONResponse:
        # A connection dropped mid-query is a plain DBAPIError with connection_invalidated,
        # and a refused new connection a bare ConnectionRefusedError: both are the database
        # being away, not a bug. Any other DBAPIError (e.g. an integrity error) stays a 500.
        if isinstance(error, DBAPIError) and not isinstance(
                error, OperationalError | InterfaceError) and not error.connection_invalidated:
            raise error
        logger.warning("database unavailable", extra={"error": type(error).__name__})
        return problem(503, "Service unavailable",
                       "the database is not reachable right now; nothing was saved, try again",
                       headers={"Retry-After": "5"})
