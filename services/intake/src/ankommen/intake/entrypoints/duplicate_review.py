"""What a clerk sees of the likely existing cases when a registration meets them.

(To be built: each candidate's names, birth date, birth place, nationality, registration date
and office next to the new entry, audited as duplicate review.)
"""

from __future__ import annotations

from ankommen.intake.domain.duplicates import Candidate
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.auth import Principal
from ankommen.shared.runtime import ServiceRuntime


async def duplicate_warning(runtime: ServiceRuntime, protection: IdentityProtection,
                            actor: Principal, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates as the warning shows them."""
    return candidates
