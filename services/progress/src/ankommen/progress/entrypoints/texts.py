"""The words of progress's pages, German first."""

from ankommen.shared.web.i18n import Catalogue

CATALOGUE: Catalogue = {
    "nav.participants": {"de": "Teilnehmende", "en": "Participants"},
    "nav.upload": {"de": "CSV-Liste hochladen", "en": "Upload CSV list"},
    "participants.title": {"de": "Ihre Teilnehmenden", "en": "Your participants"},
    "participants.none": {"de": "Noch keine Vermittlungen in Ihre Kurse.",
                          "en": "No placements in your courses yet."},
    "col.name": {"de": "Name", "en": "Name"},
    "col.contact": {"de": "Kontakt", "en": "Contact"},
    "names.unavailable": {"de": "Namen sind gerade nicht verfügbar (die Erfassung ist nicht "
                                "erreichbar); die Liste zeigt nur Vermittlungscodes.",
                          "en": "Names are unavailable right now (intake cannot be reached); "
                                "the list shows referral codes only."},
    "names.not_shared": {"de": "nicht freigegeben", "en": "not shared"},
    "names.help": {"de": "Namen und Kontaktdaten erscheinen nur, wenn die Person der "
                         "Weitergabe zugestimmt hat; jeder Abruf wird protokolliert.",
                   "en": "Names and contact details appear only where the person consented "
                         "to share them; every look-up is logged."},
    "col.code": {"de": "Vermittlungscode", "en": "Referral code"},
    "col.course": {"de": "Kurs", "en": "Course"},
    "col.status": {"de": "Stand", "en": "Status"},
    "col.placement": {"de": "Vermittlung", "en": "Placement"},
    # The one participation state (domain/state.py, docs/participation.md).
    "state.offered": {"de": "angeboten", "en": "offered"},
    "state.confirmed": {"de": "bestätigt", "en": "confirmed"},
    "state.enrolled": {"de": "im Kurs", "en": "enrolled"},
    "state.completed": {"de": "abgeschlossen", "en": "completed"},
    "state.discontinued": {"de": "abgebrochen", "en": "discontinued"},
    "state.declined": {"de": "abgelehnt", "en": "declined"},
    "state.withdrawn": {"de": "zurückgenommen", "en": "withdrawn"},
    "state.expired": {"de": "abgelaufen", "en": "expired"},
    "col.report": {"de": "Meldung", "en": "Report"},
    "col.kind": {"de": "Art", "en": "Kind"},
    "col.standing": {"de": "Gültigkeit", "en": "Standing"},
    "col.channel": {"de": "Weg", "en": "Channel"},
    "col.details": {"de": "Angaben", "en": "Details"},
    "col.row": {"de": "Zeile", "en": "Row"},
    "col.reason": {"de": "Grund", "en": "Reason"},
    "history.title": {"de": "Meldungen", "en": "Reports"},
    "history.none": {"de": "Noch keine Meldungen.", "en": "No reports yet."},
    "form.title": {"de": "Neue Meldung", "en": "New report"},
    "form.kind": {"de": "Art der Meldung", "en": "Kind of report"},
    "form.date": {"de": "Datum", "en": "Date"},
    "form.period_start": {"de": "Zeitraum von", "en": "Period from"},
    "form.period_end": {"de": "Zeitraum bis", "en": "Period to"},
    "form.hours_attended": {"de": "Stunden anwesend", "en": "Hours attended"},
    "form.hours_planned": {"de": "Stunden geplant", "en": "Hours planned"},
    "form.reason": {"de": "Grund", "en": "Reason"},
    "form.exam": {"de": "Prüfung", "en": "Exam"},
    "form.passed": {"de": "Bestanden", "en": "Passed"},
    "form.level_reached": {"de": "Erreichtes Niveau", "en": "Level reached"},
    "form.corrects_report_id": {"de": "Korrigiert Meldung (ID)", "en": "Corrects report (id)"},
    "form.submit": {"de": "Melden", "en": "Report"},
    "form.yes": {"de": "ja", "en": "yes"},
    "form.no": {"de": "nein", "en": "no"},
    "outcome.accepted": {"de": "Meldung gespeichert.", "en": "Report saved."},
    "outcome.duplicate": {"de": "Diese Meldung lag schon vor; nichts geändert.",
                          "en": "This report was already received; nothing changed."},
    "outcome.rejected": {"de": "Meldung abgelehnt:", "en": "Report refused:"},
    "upload.title": {"de": "CSV-Liste hochladen", "en": "Upload a CSV list"},
    "upload.help": {"de": "UTF-8 oder Excel-Export (Windows-1252), Semikolon oder Komma, "
                          "Datum als 31.10.2026, Dezimalkomma. Die erste Zeile benennt die "
                          "Spalten.",
                    "en": "UTF-8 or Excel export (Windows-1252), semicolons or commas, dates "
                          "as 31.10.2026, decimal commas. The first row names the columns."},
    "upload.file": {"de": "Datei", "en": "File"},
    "upload.mapping": {"de": "Spaltenzuordnung (JSON, optional)",
                       "en": "Column mapping (JSON, optional)"},
    "upload.submit": {"de": "Hochladen", "en": "Upload"},
    # Refusals of a report (domain/validation.py) that have a German text; the others show
    # the API's English reason. Dates arrive as dates, formatted here.
    "problem.not_confirmed": {
        "de": "die Vermittlung ist noch nicht bestätigt: bitte zuerst bestätigen, dann den "
              "Kurseintritt melden",
        "en": "the placement is not confirmed yet: confirm it first"},
    "problem.course_cancelled": {"de": "der Kurs wurde abgesagt",
                                 "en": "the course was cancelled"},
    "problem.placement_declined": {"de": "die Vermittlung wurde abgelehnt",
                                   "en": "the placement was declined"},
    "problem.placement_withdrawn": {"de": "die Vermittlung wurde zurückgenommen",
                                    "en": "the placement was withdrawn"},
    "problem.placement_expired": {"de": "das Vermittlungsangebot ist abgelaufen (nicht "
                                        "rechtzeitig bestätigt)",
                                  "en": "the placement was expired"},
    "problem.future": {"de": "liegt in der Zukunft", "en": "in the future"},
    "problem.outside_course": {
        "de": "außerhalb der Kurszeit ({start:%d.%m.%Y} bis {end:%d.%m.%Y})",
        "en": "outside the course period ({start} to {end})"},
    "problem.before_enrolment": {"de": "vor dem Kurseintritt ({day:%d.%m.%Y})",
                                 "en": "before the enrolment ({day})"},
    "problem.before_last_change": {"de": "vor der letzten Statusänderung ({day:%d.%m.%Y})",
                                   "en": "before the last status change ({day})"},
    "problem.overlap": {
        "de": "überschneidet sich mit der Anwesenheit, die für {start:%d.%m.%Y} bis "
              "{end:%d.%m.%Y} gemeldet wurde (Meldung {report_id}); um sie zu ersetzen, geben "
              "Sie ihre ID als Korrektur an („Korrigiert Meldung (ID)“ im Formular, Spalte "
              "„korrigiert“ in CSV-Listen)",
        "en": "overlaps the attendance reported for {start} to {end} (report {report_id}); "
              "to replace that report, name it in corrects_report_id"},
    "result.title": {"de": "Ergebnis des Uploads", "en": "Upload result"},
    "result.summary": {"de": "{rows} Zeilen: {accepted} gespeichert, {duplicates} schon "
                             "vorhanden, {rejected} abgelehnt.",
                       "en": "{rows} rows: {accepted} stored, {duplicates} already there, "
                             "{rejected} refused."},
}
