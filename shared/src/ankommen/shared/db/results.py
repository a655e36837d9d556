"""Typed access to how many rows a statement changed.

SQLAlchemy types ``execute()`` as returning a plain ``Result``, which has no row count; an
INSERT, UPDATE or DELETE returns a ``CursorResult``, which has one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Result


def affected_rows(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows the INSERT, UPDATE or DELETE that gave ``result`` changed."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"no row count: {type(result).__name__} is not the result of a "
                        "data-changing statement")
    return result.rowcount
