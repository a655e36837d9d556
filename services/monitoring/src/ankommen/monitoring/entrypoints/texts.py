"""Monitoring's page texts, German first with English (see ``ankommen.shared.web.i18n``)."""

from ankommen.shared.web.i18n import Catalogue

TEXTS: Catalogue = {
    "service.title": {"de": "Monitoring", "en": "Monitoring"},
    "nav.dashboard": {"de": "Übersicht", "en": "Dashboard"},
    "nav.report": {"de": "Jahresbericht", "en": "Annual report"},
    "dashboard.title": {"de": "Zugänge im Überblick", "en": "Arrivals at a glance"},
    "dashboard.intro": {
        "de": "Anonymisierte Zahlen aus den de-identifizierten Fakten der Fachdienste.",
        "en": "Anonymised figures from the services' de-identified facts."},
    "filter.title": {"de": "Auswahl", "en": "Selection"},
    "filter.from": {"de": "Von (Monat)", "en": "From (month)"},
    "filter.to": {"de": "Bis (Monat)", "en": "To (month)"},
    "filter.district": {"de": "Kreis", "en": "District"},
    "filter.german_level": {"de": "Deutschniveau bei Zugang", "en": "German level at intake"},
    "filter.all": {"de": "alle", "en": "all"},
    "filter.apply": {"de": "Anzeigen", "en": "Show"},
    "figure.arrivals": {"de": "Zugänge in der Auswahl", "en": "Arrivals in the selection"},
    "figure.freshness": {"de": "Datenstand", "en": "Data as of"},
    "figure.no_data": {"de": "noch keine Daten", "en": "no data yet"},
    "view.month": {"de": "Zugänge nach Monat", "en": "Arrivals by month"},
    "view.district": {"de": "Zugänge nach Kreis", "en": "Arrivals by district"},
    "view.german_level": {"de": "Zugänge nach Deutschniveau", "en": "Arrivals by German level"},
    "column.month": {"de": "Monat", "en": "Month"},
    "column.district": {"de": "Kreis", "en": "District"},
    "column.german_level": {"de": "Niveau", "en": "Level"},
    "column.count": {"de": "Anzahl", "en": "Count"},
    "row.total": {"de": "Insgesamt", "en": "Total"},
    "cell.protected": {"de": "geschützt", "en": "protected"},
    "export.csv": {"de": "Als CSV herunterladen", "en": "Download as CSV"},
    "legend.title": {"de": "Zeichenerklärung", "en": "Legend"},
    "legend.protected": {
        "de": "· – Wert geschützt: weniger als {min_count} Fälle, oder verborgen, damit er "
              "sich nicht aus der Summe und den übrigen Werten errechnen lässt.",
        "en": "· – value protected: fewer than {min_count} cases, or hidden so that it "
              "cannot be worked out from the total and the other values."},
    "legend.noise": {
        "de": "Alle Zahlen sind geringfügig verändert (höchstens ±{max_deviation}, "
              "Cell-Key-Verfahren wie im Zensus 2022); Summen werden aus den Rohdaten "
              "gebildet und ebenso geschützt, sie sind daher nicht die Summe der Zeilen.",
        "en": "All figures are slightly perturbed (at most ±{max_deviation}, Cell Key "
              "Method as in the German Census 2022); totals are computed from the raw data "
              "and protected the same way, so they are not the sum of the rows."},
    "legend.frozen": {
        "de": "Abgeschlossene Monate ändern sich nicht mehr.",
        "en": "Closed months no longer change."},
    "report.title": {"de": "Jahresbericht {year}", "en": "Annual report {year}"},
    "report.intro": {
        "de": "Kennzahlen des Kreises im Vergleich mit den Zielen der Integrationsplanung.",
        "en": "The county's key figures against the goals of its integration planning."},
    "report.print": {"de": "Zum Drucken oder Speichern als PDF die Druckfunktion des "
                           "Browsers nutzen.",
                     "en": "Use the browser's print function to print or save as PDF."},
    "report.goals": {"de": "Ziele", "en": "Goals"},
    "report.goal": {"de": "Ziel", "en": "Goal"},
    "report.actual": {"de": "Ist", "en": "Actual"},
    "report.assessment": {"de": "Bewertung", "en": "Assessment"},
    "report.goal.median_wait": {"de": "Wartezeit bis zum Kursplatz (Median)",
                                "en": "Waiting time until a course seat (median)"},
    "report.goal.median_wait.target": {"de": "höchstens {weeks} Wochen",
                                       "en": "at most {weeks} weeks"},
    "report.goal.b1_share": {"de": "Anteil der DTZ-Prüfungen mit B1 oder besser",
                             "en": "Share of DTZ exams reaching B1 or better"},
    "report.goal.b1_share.target": {"de": "mindestens {percent} %",
                                    "en": "at least {percent} %"},
    "report.band": {"de": "{band} Tage", "en": "{band} days"},
    "assessment.met": {"de": "erreicht", "en": "met"},
    "assessment.not_met": {"de": "nicht erreicht", "en": "not met"},
    "assessment.undecided": {
        "de": "nicht entscheidbar (Wartezeit nur in Stufen gemeldet, oder Wert geschützt)",
        "en": "cannot be decided (waiting time reported in bands only, or value protected)"},
    "assessment.no_data": {"de": "zu wenige Daten für eine Aussage",
                           "en": "too little data to say"},
    "report.arrivals": {"de": "Zugänge {year}", "en": "Arrivals {year}"},
}
