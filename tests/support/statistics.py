"""Every published table of monitoring's catalogue, as the public asks for it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode


def every_table(catalogue: dict[str, Any], suffixes: tuple[str, ...] = ("", ".csv")
                ) -> list[str]:
    """A path for every catalogue table (``GET /statistics``), as JSON and CSV: over the
    newest published month, and a breakdown by month over the newest published quarter."""
    month = catalogue["periods"]["months"][0]
    quarter = catalogue["periods"]["quarters"][0]
    paths = []
    for table in catalogue["tables"]:
        period = quarter if table["by"] == "month" else month
        query = urlencode({"period": period, "by": table["by"], **table["filters"]})
        paths += [f"/statistics/{table['measure']}{suffix}?{query}" for suffix in suffixes]
    return paths
