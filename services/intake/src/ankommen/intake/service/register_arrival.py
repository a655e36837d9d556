"""RegisterArrival: record a new case and announce it — to the services that need the
pseudonym (``CaseRegistered``) and, de-identified, to monitoring (``ArrivalFact``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from ankommen.intake.adapters.repository import CaseRepository
from ankommen.intake.domain.case import Case, district_of
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.facts import ArrivalFact
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey


@dataclass(frozen=True)
class RegisterArrival:
    survey: Survey
    registered_on: date


async def register_arrival(uow: UnitOfWork, command: RegisterArrival) -> Case:
    case = Case(survey=command.survey, registered_on=command.registered_on)
    await CaseRepository(uow.session).add(case)
    await uow.publish(CaseRegistered(pseudonym=case.pseudonym, survey=case.survey,
                                     registered_on=case.registered_on),
                      key=case.pseudonym, subject=case.pseudonym)
    # The fact gets its own random key: monitoring must not be able to link it to the case.
    record_key = secrets.token_hex(16)
    await uow.publish(ArrivalFact(record_key=record_key,
                                  month=case.registered_on.strftime("%Y-%m"),
                                  district=district_of(case.survey.region_key),
                                  german_level=case.survey.german_level),
                      key=record_key)
    return case
