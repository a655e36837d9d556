"""Every text a page asks for exists in German and in English.

Babel extracts each ``t("…")`` with a constant key from the templates (Jinja2's extractor) and
the Python code (Babel's) of the shared web package and of each service; a key that the
frame's and the service's catalogues lack in either language fails here, before a clerk
would see the bare key. Keys built at run time (``"option." ~ value``) are checked where the
pages render them: the suite runs with ANKOMMEN_STRICT_TEXTS=1 (``tests/conftest.py``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from ankommen.shared.web.i18n import FRAME_PACKAGE, LANGUAGES, catalogue_of, package_catalogue

SERVICES = ("ankommen.intake", "ankommen.assignment", "ankommen.progress",
            "ankommen.monitoring")
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


def used_keys(package: str) -> set[str]:
    root = Path(str(files(package)))
    found = extract_from_dir(root, METHODS, keywords={"t": None}, comment_tags=(),
                             strip_comment_tags=True)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


@pytest.mark.parametrize("package", SERVICES)
def test_every_key_a_service_uses_has_a_german_and_an_english_text(package: str) -> None:
    catalogue = catalogue_of(FRAME_PACKAGE, package)
    keys = used_keys(package)
    assert len(keys) > 10, "the extraction found (almost) nothing: is it still looking?"
    missing = sorted(f"{key} ({language})" for key in keys for language in LANGUAGES
                     if not catalogue.get(key, {}).get(language))
    assert missing == []


@pytest.mark.parametrize("package", [FRAME_PACKAGE, *SERVICES])
def test_each_catalogue_says_everything_in_both_languages(package: str) -> None:
    one_language_only = sorted(key for key, texts in package_catalogue(package).items()
                               if set(texts) != set(LANGUAGES))
    assert one_language_only == []


def test_the_frame_texts_the_shared_templates_use_exist() -> None:
    catalogue = package_catalogue(FRAME_PACKAGE)
    keys = used_keys(FRAME_PACKAGE)
    assert {"login.title", "nav.logout"} <= keys
    assert sorted(key for key in keys if key not in catalogue) == []
