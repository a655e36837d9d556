"""Only people who live in the county: a registration or correction naming a municipality
outside the county's districts is refused at intake.

Every other service trusts intake's survey, so this is where a typing error ("03385021") or
a lie through the API would otherwise enter the county's figures (monitoring would hold the
fact for review; assignment would look for courses elsewhere). The pages offer only the
county's municipalities; the API checks the same list (``settings.municipalities()``: the
directory of the county's districts, docs/reference-data.md).
"""

from __future__ import annotations

from collections.abc import Container

from ankommen.shared.errors import DomainError

REGION_FIELD = "survey.region_key"


class OutsideCounty(DomainError):
    """The municipality is not one of the county's (422: the value, not a rule of a case)."""

    status = 422
    title = "Invalid request"


def require_in_county(region_key: str | None, municipalities: Container[str]) -> None:
    """``region_key`` (when given) is a municipality, or the district itself ("municipality not
    known"), of the county's directory."""
    if region_key is not None and region_key not in municipalities:
        raise OutsideCounty(f"{REGION_FIELD}: not a municipality of the county's districts",
                            field=REGION_FIELD)
