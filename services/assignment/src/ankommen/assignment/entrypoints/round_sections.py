"""The coordination round as sections of words: the page and the PDF show the same tables.

Both print what :func:`sections` makes of a
:class:`~ankommen.assignment.service.coordination_round.CoordinationRound` — course types,
levels, schedules, places and providers as words in the reader's language, never codes — so the
printed page and the PDF cannot drift apart. People appear only by pseudonym, and only in a
table marked ``page_only`` (the PDF is handed round at the providers' meeting: counts suffice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

from ankommen.assignment.domain.demand import OTHER
from ankommen.assignment.domain.lifecycle import StartDecision
from ankommen.assignment.service.coordination_round import CoordinationRound, Month, Step
from ankommen.shared.web.i18n import Translator
from ankommen.shared.web.words import Words


@dataclass(frozen=True)
class Table:
    id: str
    #: Empty for a section's only table: the section's title names it.
    caption: str
    headings: list[str]
    rows: list[list[str]]
    #: Columns holding figures (right-aligned).
    numeric: frozenset[int] = frozenset()
    #: Shown on the page only, not in the PDF (the pseudonyms of section 3).
    page_only: bool = False


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    notes: list[str]
    tables: list[Table] = field(default_factory=list[Table])
    #: Said instead of the tables when they have no rows.
    empty: str = ""


def month_name(month: Month, language: str) -> str:
    """"Dezember 2026" / "December 2026"."""
    return format_date(month.first_day, "LLLL y", locale=language)


def county_name(round_: CoordinationRound, words: Words) -> str:
    return ", ".join(words.district(key) for key in round_.districts)


def title(round_: CoordinationRound, t: Translator, words: Words) -> str:
    return t("round.title_of", county=county_name(round_, words),
             month=month_name(round_.month, t.language))


def sections(round_: CoordinationRound, t: Translator, words: Words) -> list[Section]:
    shown = _Shown(t, words)
    return [_free_seats(round_, t, words, shown), _at_risk(round_, t, words, shown),
            _ending(round_, t, words, shown), _waiting(round_, t, words, shown),
            _unmet(round_, t, words)]


class _Shown:
    """Dates and figures in the reader's language."""

    def __init__(self, t: Translator, words: Words) -> None:
        self.t, self.words = t, words

    def day(self, value: date) -> str:
        return format_date(value, "medium", locale=self.t.language)

    def weeks(self, days: float) -> str:
        return format_decimal(days / 7, "#,##0.0", locale=self.t.language)

    def step(self, step: Step) -> str:
        if step.course_type is None:
            return self.t("round.step.none")
        return self.t("round.step.course", course_type=self.words.option(
            "course_type", step.course_type), level=step.target_level)


def _free_seats(round_: CoordinationRound, t: Translator, words: Words, shown: _Shown
                ) -> Section:
    rows = [[entry.course.title, words.provider(entry.course.provider_id,
                                                entry.course.provider_name),
             words.region(entry.course.region_key), shown.day(entry.course.starts_on),
             shown.day(entry.course.ends_on), str(entry.taken), str(entry.course.capacity),
             str(entry.free),
             shown.day(entry.entry_deadline) if entry.open_for_entry
             else t("round.seats.entry_closed", day=shown.day(entry.entry_deadline))]
            for entry in round_.free_seats]
    return Section("free-seats", t("round.seats.title"), [t("round.seats.note")], [Table(
        "free-seats-table", "",
        [t("round.course"), t("round.provider"), t("round.place"), t("round.starts"),
         t("round.ends"), t("round.seats.taken"), t("round.seats.capacity"),
         t("round.seats.free"), t("round.seats.entry_deadline")], rows,
        frozenset({5, 6, 7}))] if rows else [], t("round.seats.empty"))


def _at_risk(round_: CoordinationRound, t: Translator, words: Words, shown: _Shown) -> Section:
    rows: list[list[str]] = []
    for risk in round_.at_risk:
        what = (t("round.risk.postpone", day=shown.day(risk.decided_on),
                  new_start=shown.day(risk.new_start))
                if risk.decision is StartDecision.POSTPONE and risk.new_start
                else t("round.risk.cancel", day=shown.day(risk.decided_on)))
        rows.append([risk.course.title, words.provider(risk.course.provider_id,
                                                       risk.course.provider_name),
                     shown.day(risk.course.starts_on), str(risk.course.minimum_participants),
                     str(risk.held), str(risk.missing), what])
    return Section("at-risk", t("round.risk.title"),
                   [t("round.risk.note", weeks=round_.at_risk_weeks, day=shown.day(round_.as_of))],
                   [Table("at-risk-table", "",
                          [t("round.course"), t("round.provider"), t("round.starts"),
                           t("round.risk.minimum"), t("round.risk.held"),
                           t("round.risk.missing"), t("round.risk.what")], rows,
                          frozenset({3, 4, 5}))] if rows else [], t("round.risk.empty"))


def _ending(round_: CoordinationRound, t: Translator, words: Words, shown: _Shown) -> Section:
    separator = t("vocabulary.list_separator")
    per_course = [[ending.course.title, words.provider(ending.course.provider_id,
                                                       ending.course.provider_name),
                   shown.day(ending.course.ends_on), str(len(ending.participants)),
                   separator.join(f"{shown.step(step)}: {count}"
                                  for step, count in ending.steps)]
                  for ending in round_.ending]
    per_step = [[shown.step(step), str(count)] for step, count in round_.steps]
    people = [[ending.course.title, pseudonym, shown.step(step)]
              for ending in round_.ending for pseudonym, step in ending.participants]
    tables = [Table("ending-table", t("round.ending.per_course"),
                    [t("round.course"), t("round.provider"), t("round.ends"),
                     t("round.ending.participants"), t("round.ending.steps")], per_course,
                    frozenset({3}))] if per_course else []
    if per_step:
        tables.append(Table("steps-table", t("round.ending.per_step"),
                            [t("round.ending.step"), t("round.ending.people")], per_step,
                            frozenset({1})))
    if people:
        tables.append(Table("ending-people-table", t("round.ending.people_by_pseudonym"),
                            [t("round.course"), t("round.person"), t("round.ending.step")],
                            people, page_only=True))
    return Section("ending", t("round.ending.title"), [t(
        "round.ending.note", first=shown.day(round_.as_of),
        until=shown.day(round_.ending_until))], tables, t("round.ending.empty"))


def _waiting(round_: CoordinationRound, t: Translator, words: Words, shown: _Shown
             ) -> Section:
    rows = [[words.option("german_level", need.level),
             words.option("course_type", need.course_type),
             words.options("availability", need.schedule) if need.schedule
             else t("demand.no_time"),
             str(need.count), shown.weeks(need.median_days), shown.weeks(need.longest_days)]
            for need in round_.waiting]
    return Section("waiting", t("round.waiting.title"),
                   [t("round.waiting.note", day=shown.day(round_.as_of))],
                   [Table("waiting-table", "",
                          [t("level"), t("type"), t("schedule"), t("round.waiting.count"),
                           t("round.waiting.median"), t("round.waiting.longest")], rows,
                          frozenset({3, 4, 5}))] if rows else [], t("round.waiting.empty"))


def _unmet(round_: CoordinationRound, t: Translator, words: Words) -> Section:
    def other_or(value: str, word: str) -> str:
        return t("demand.other") if value == OTHER else word

    rows = [[other_or(group.district, words.district(group.district)),
             other_or(group.level, words.option("german_level", group.level)
                      if group.level != OTHER else ""),
             other_or(group.course_type, words.option("course_type", group.course_type)
                      if group.course_type != OTHER else ""),
             other_or(group.childcare, words.option("yes_no", group.childcare)
                      if group.childcare != OTHER else ""),
             other_or(group.schedule, (words.options("availability", group.schedule.split("+"))
                                       if group.schedule else t("demand.no_time"))
                      if group.schedule != OTHER else ""),
             str(group.count)] for group in round_.unmet.groups]
    notes = [t("round.unmet.note")]
    if round_.unmet.hidden:
        notes.append(t("hidden"))
    return Section("unmet", t("round.unmet.title"), notes,
                   [Table("unmet-table", "",
                          [t("district"), t("level"), t("type"), t("childcare"), t("schedule"),
                           t("count")], rows, frozenset({5}))] if rows else [],
                   t("round.unmet.empty"))
