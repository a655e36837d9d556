"""German first, English switchable: the users are German municipal staff, but interpreters,
IT and many providers work in English.

Each service hands in its own catalogue of ``key: {"de": …, "en": …}``; the shared one holds the
words of the page frame. A missing English text falls back to German, a missing key shows the
key (visible in review, never a crash).
"""

from __future__ import annotations

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"

Catalogue = dict[str, dict[str, str]]

FRAME: Catalogue = {
    "app.name": {"de": "ankommen", "en": "ankommen"},
    "nav.logout": {"de": "Abmelden", "en": "Sign out"},
    "nav.language": {"de": "English", "en": "Deutsch"},
    "login.title": {"de": "Anmelden", "en": "Sign in"},
    "login.token": {"de": "Zugangsschlüssel (Token)", "en": "Access token"},
    "login.submit": {"de": "Anmelden", "en": "Sign in"},
    "login.help": {"de": "Den Schlüssel erhalten Sie von Ihrer IT (ankommen token ROLLE).",
                   "en": "Your IT issues the token (ankommen token ROLE)."},
    "login.invalid": {"de": "Der Schlüssel ist ungültig oder abgelaufen.",
                      "en": "The token is not valid or has expired."},
    "login.forbidden": {"de": "Ihre Rolle darf diese Seite nicht sehen.",
                        "en": "Your role may not see this page."},
    # A form field refused by ankommen.shared.text (a name with a line break, a tab, a NUL
    # or a direction override, often pasted from another program).
    "input.hidden_character": {
        "de": "Enthält ein unsichtbares Steuer- oder Schreibrichtungszeichen ({character}). "
              "Bitte die Angabe ohne Zeilenumbruch, Tabulator und Richtungszeichen neu "
              "eingeben.",
        "en": "Contains an invisible control or direction character ({character}). Please "
              "type the entry again without line breaks, tabs or direction characters."},
}


class Translator:
    def __init__(self, catalogue: Catalogue, language: str) -> None:
        self._catalogue = catalogue
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str, **values: object) -> str:
        texts = self._catalogue.get(key)
        if texts is None:
            return key
        text = texts.get(self.language) or texts[DEFAULT_LANGUAGE]
        return text.format(**values) if values else text

    @property
    def other_language(self) -> str:
        return "en" if self.language == "de" else "de"
