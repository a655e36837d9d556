"""Lays the invitation letter out as a PDF, with each script shaped and set in its direction.

fpdf2 does the layout; with its HarfBuzz text shaping (``uharfbuzz``) Arabic letters join
and right-to-left lines run from the right margin, with the Unicode bidirectional algorithm
for Latin names and addresses inside them. Nothing is fetched at run time: the fonts are
Debian's Noto fonts (``fonts-noto-core``), found by path; a missing font is an error naming
the package, never a letter in a fallback font that cannot show the script.

fpdf2 and fontTools (with Pillow and numpy, ~30 MB resident) are imported at the first letter,
not when intake starts: letters are printed now and then, and a process that never prints one
should not carry them (issue 21, B6).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from ankommen.intake.domain.letter import Letter, Paragraph, Script, Section, Style

# FontMissing: what render_letter raises, named here for intake's callers and tests.
from ankommen.shared.fonts import FontMissing as FontMissing
from ankommen.shared.fonts import font_path

if TYPE_CHECKING:
    from fpdf import FPDF


@dataclass(frozen=True)
class FontFiles:
    regular: str
    bold: str


#: One family per script. Names and addresses inside an Arabic or Ethiopic section are
#: Latin: the Latin family is every family's fallback.
FONTS = {
    Script.LATIN_CYRILLIC: FontFiles("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    Script.ARABIC: FontFiles("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    Script.ETHIOPIC: FontFiles("NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
}
#: fpdf2 names a harfbuzz script in ISO 15924 (lower case).
HARFBUZZ_SCRIPT = {Script.LATIN_CYRILLIC: None, Script.ARABIC: "arab",
                   Script.ETHIOPIC: "ethi"}
SIZES = {Style.TITLE: 14.0, Style.TEXT: 10.5, Style.FIELD: 10.5, Style.ITEM: 10.5}


@cache
def check_fonts() -> None:
    """Fails early (at the first letter) if any font is missing, whichever script asked."""
    for files in FONTS.values():
        font_path(files.regular)
        font_path(files.bold)


class GlyphMissing(ValueError):
    """A text of the letter has a character no font of its section can show: the letter
    would print an empty box where the person should read a word."""


#: Invisible characters that shape or order text rather than show a glyph: zero-width
#: (non-)joiner and the bidirectional isolates the letter puts around left-to-right values.
LAYOUT_CHARACTERS = frozenset("\u200c\u200d\u2066\u2067\u2068\u2069")


@cache
def covered(name: str) -> frozenset[str]:
    """The characters a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    with TTFont(font_path(name), lazy=True) as font:
        cmap = font.getBestCmap()
        if cmap is None:
            raise ValueError(f"font {name} has no Unicode character map")
        return frozenset(map(chr, cmap))


def check_glyphs(section: Section) -> None:
    """Every character of the section is in its script's font or the Latin fallback."""
    shown = covered(FONTS[section.language.script].regular) \
        | covered(FONTS[Script.LATIN_CYRILLIC].regular)
    for paragraph in section.paragraphs:
        missing = {character for character in paragraph.text if not character.isspace()
                   and character not in LAYOUT_CHARACTERS and character not in shown}
        if missing:
            listed = ", ".join(f"U+{ord(each):04X}" for each in sorted(missing))
            raise GlyphMissing(f"{section.language.code}: no glyph for {listed} in "
                               f"{paragraph.text!r}")


def render_letter(letter: Letter) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    check_fonts()
    for section in letter.sections:
        check_glyphs(section)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(left=20, top=18, right=20)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(letter.sections[0].paragraphs[0].text)
    pdf.set_creator("ankommen")
    for script, files in FONTS.items():
        pdf.add_font(script.value, style="", fname=font_path(files.regular))
        pdf.add_font(script.value, style="B", fname=font_path(files.bold))
    pdf.set_fallback_fonts([Script.LATIN_CYRILLIC.value], exact_match=False)
    pdf.add_page()
    _latin(pdf)
    pdf.set_font(Script.LATIN_CYRILLIC.value, style="B", size=9)
    pdf.multi_cell(0, 4.5, letter.sender, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(Script.LATIN_CYRILLIC.value, size=9)
    pdf.multi_cell(0, 4.5, letter.reference, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(Script.LATIN_CYRILLIC.value, style="B", size=11)
    pdf.multi_cell(0, 5.5, letter.addressee, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for number, section in enumerate(letter.sections):
        if number:
            pdf.ln(3)
            pdf.set_draw_color(150, 150, 150)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(4)
        _section(pdf, section)
    return bytes(pdf.output())


def _latin(pdf: FPDF) -> None:
    pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")


def _section(pdf: FPDF, section: Section) -> None:
    language = section.language
    pdf.set_text_shaping(use_shaping_engine=True,
                         direction="rtl" if language.right_to_left else "ltr",
                         script=HARFBUZZ_SCRIPT[language.script])
    align = "R" if language.right_to_left else "L"
    for paragraph in section.paragraphs:
        _paragraph(pdf, language.script, paragraph, align)
    _latin(pdf)


def _paragraph(pdf: FPDF, script: Script, paragraph: Paragraph, align: str) -> None:
    from fpdf.enums import XPos, YPos

    size = SIZES[paragraph.style]
    pdf.set_font(script.value, style="B" if paragraph.style is Style.TITLE else "",
                 size=size)
    text = f"•  {paragraph.text}" if paragraph.style is Style.ITEM else paragraph.text
    if paragraph.style is Style.TITLE:
        pdf.ln(1)
    pdf.multi_cell(0, size * 0.55, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if paragraph.style in (Style.TITLE, Style.TEXT):
        pdf.ln(1.5)
