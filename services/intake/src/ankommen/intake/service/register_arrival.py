"""RegisterArrival: record a new case — unless the person is likely known already.

Before a case is created, the identity is checked against existing cases
(:mod:`.duplicate_check`). Likely duplicates stop the registration
(:class:`PossibleDuplicates`, answered 409 with the candidates); staff then decide: *same
person* updates the existing case (its earlier spelling kept as an alias, :mod:`.aliases`),
*different person* creates the new one and records the decision. A new case is announced to
the services that need the pseudonym (``CaseRegistered``) and, de-identified, to monitoring
(one ``ArrivalRecorded`` fact).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ankommen.intake.adapters.audit import actor_fields
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.audit import AuditAction
from ankommen.intake.domain.case import Case, district_of
from ankommen.intake.domain.duplicates import Candidate, DuplicateSuspected, SuspicionStatus
from ankommen.intake.domain.identity import Alias, Identity
from ankommen.intake.service.aliases import keep_aliases
from ankommen.intake.service.duplicate_check import likely_duplicates
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.errors import Conflict, DomainError, NotFound
from ankommen.shared.events.contracts.intake import (
    AgeBand,
    ArrivalRecorded,
    CaseRegistered,
    SchoolingBand,
    Survey,
    SurveyUpdated,
)
from ankommen.shared.identity.auth import Principal


class Decision(StrEnum):
    SAME_PERSON = "same_person"
    DIFFERENT_PERSON = "different_person"


class PossibleDuplicates(Conflict):
    """The person is likely registered already; nothing was created."""

    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__("identity: the person is likely registered already; confirm "
                         "'same_person' with the case id or 'different_person'",
                         field="identity")
        self.candidates = candidates


@dataclass(frozen=True)
class RegisterArrival:
    identity: Identity
    #: The survey answers without the age, which is derived from the birth date.
    answers: dict[str, Any]
    registered_on: date
    decision: Decision | None = None
    #: With ``same_person``: the existing case that is this person.
    existing_case_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Registered:
    case: Case
    created: bool


def derive_survey(identity: Identity, answers: dict[str, Any], registered_on: date) -> Survey:
    if identity.birth_date > registered_on:
        raise DomainError("identity.birth_date: after the day of intake",
                          field="identity.birth_date")
    return Survey.model_validate({**answers, "age_years": identity.age_on(registered_on)})


async def register_arrival(uow: IntakeUnitOfWork, protection: IdentityProtection,
                           command: RegisterArrival, actor: Principal) -> Registered:
    """A new case's rows are inserts only: they go to the service's group writer
    (``uow.inserts``, :mod:`ankommen.shared.db.group_commit`) and are written with other
    registrations' in one transaction at the unit's commit."""
    survey = derive_survey(command.identity, command.answers, command.registered_on)
    if command.decision is Decision.SAME_PERSON:
        updated = await _update_existing(uow, protection, command, actor)
        await uow.commit()
        return Registered(updated, created=False)
    digests = protection.lookup(command.identity, gender=survey.gender.value)
    candidates = await likely_duplicates(uow, protection, command.identity, digests=digests,
                                         before_writes=True)
    if candidates and command.decision is not Decision.DIFFERENT_PERSON:
        raise PossibleDuplicates(candidates)
    # Everything is computed before the first write; the writes are only collected here and
    # written at the commit, with other units', so the database's write lock (SQLite has
    # one per file) is held for the SQLite work, not while this request encrypts.
    case = Case(survey=survey, registered_on=command.registered_on)
    sealed = protection.vault.seal(case.case_id, command.identity)
    suspicions: list[DuplicateSuspected] = []
    for candidate in candidates:
        suspicion = DuplicateSuspected(case.case_id, candidate.case_id, candidate.score,
                                       uow.clock.now())
        suspicion.resolve(SuspicionStatus.DIFFERENT_PERSON, uow.clock.now())
        suspicions.append(suspicion)
    # Events go to the outbox with the unit's commit; publishing only collects them.
    await uow.publish(CaseRegistered(pseudonym=case.pseudonym, survey=case.survey,
                                     registered_on=case.registered_on),
                      key=case.pseudonym, subject=case.pseudonym)
    await publish_arrival_facts(uow, case)
    inserts = uow.inserts
    await inserts.cases.add(case)
    await inserts.identities.add(case.case_id, sealed, digests.all)
    for suspicion in suspicions:
        await inserts.suspicions.add(suspicion)
    await inserts.audit_entries.record(
        **actor_fields(actor), action=AuditAction.REGISTER, case_id=case.case_id)
    await uow.commit()
    return Registered(case, created=True)


async def _update_existing(uow: IntakeUnitOfWork, protection: IdentityProtection,
                           command: RegisterArrival, actor: Principal) -> Case:
    """'Same person': the existing case takes the newer identity and survey answers."""
    if command.existing_case_id is None:
        raise DomainError("resolution.case_id: required with 'same_person'",
                          field="resolution.case_id")
    case = await uow.cases.get(command.existing_case_id)
    if case is None:
        raise NotFound("resolution.case_id: no such case", field="resolution.case_id")
    case.require_open()
    store = uow.identities
    # The identity is read in the writer's turn (SQLite) or locked (PostgreSQL): a second
    # decision about the case at the same time must see the spelling the first one left,
    # or that spelling would be lost instead of kept as an alias.
    await uow.take_write_turn()
    stored = await store.load(case.case_id, for_update=True)
    wrapped_key, ciphertext = stored if stored is not None else (None, None)
    if wrapped_key is None or ciphertext is None:
        raise Conflict("resolution.case_id: the case has no identity", field="resolution.case_id")
    # The spelling the case had is kept as an alias, so that it still finds the case.
    earlier = Alias.of(protection.vault.open(case.case_id, wrapped_key, ciphertext))
    await store.replace_ciphertext(case.case_id, protection.vault.reseal(
        case.case_id, wrapped_key, command.identity))
    # The age stays the one derived on the day the case was first registered.
    changes = case.survey_changes({**command.answers, "age_years": case.survey.age_years})
    if changes:
        event = SurveyUpdated(pseudonym=case.pseudonym, changes=changes)
        case.survey = event.apply_to(case.survey)
        await uow.cases.save(case)
        await uow.publish(event, key=case.pseudonym, subject=case.pseudonym)
    # Indexed (identity and aliases) under the gender as it is now, as a registration is.
    await keep_aliases(uow, protection, case.case_id, wrapped_key, command.identity, [earlier],
                       case.survey.gender.value)
    await uow.audit_entries.record(
        **actor_fields(actor), action=AuditAction.UPDATE_IDENTITY, case_id=case.case_id)
    return case


async def publish_arrival_facts(uow: IntakeUnitOfWork, case: Case) -> None:
    """Exactly one fact per arrival, with its own random key: monitoring must not be able to
    link it to the case or to other facts."""
    survey = case.survey
    month = case.registered_on.strftime("%Y-%m")
    district = district_of(survey.region_key)
    record_key = secrets.token_hex(16)
    await uow.publish(ArrivalRecorded(
        record_key=record_key, month=month, district=district,
        age_band=AgeBand.of(survey.age_years), gender=survey.gender,
        german_level=survey.german_level, reads_latin_script=survey.reads_latin_script,
        schooling_band=SchoolingBand.of(survey.schooling_years),
        needs_childcare=survey.needs_childcare, residence_status=survey.residence_status),
        key=record_key)
