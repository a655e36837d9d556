"""Fonts for PDFs the services lay out (intake's invitation letter, assignment's coordination
round): Debian's Noto fonts (``fonts-noto-core``, installed by ``make fonts``), found by path.

Nothing is fetched at run time, and a missing font is an error naming the package — never a
PDF in a fallback font that cannot show the text's letters.
"""

from __future__ import annotations

from pathlib import Path

#: Where Debian's ``fonts-noto-core`` puts its fonts.
NOTO = Path("/usr/share/fonts/truetype/noto")
FONT_PACKAGE = "fonts-noto-core"


class FontMissing(RuntimeError):
    """A font of a PDF is not installed (a deployment error, answered 500)."""


def font_path(name: str, directory: Path = NOTO) -> str:
    """The path of the font file ``name`` in ``directory``, or :class:`FontMissing`."""
    path = directory / name
    if not path.is_file():
        raise FontMissing(f"{path} is missing: install Debian's {FONT_PACKAGE} "
                          f"(apt-get install {FONT_PACKAGE}; `make fonts`)")
    return str(path)
