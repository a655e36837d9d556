"""The coordination round as a PDF for the providers' meeting: the page's sections
(:mod:`ankommen.assignment.entrypoints.round_sections`), one per page, table headings repeated
on every page a table runs onto, a title with county and month, and page numbers.

fpdf2 lays it out in Debian's Noto Sans, found by path as intake's letter finds its fonts
(:mod:`ankommen.shared.fonts`: a missing font is an error naming the package, never a PDF in a
core font that cannot show "ß" or "–"); German and English need no text shaping.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from ankommen.assignment.entrypoints.round_sections import Section, Table
from ankommen.shared.fonts import font_path
from ankommen.shared.web.i18n import Translator

FAMILY = "NotoSans"
FONTS = {"": "NotoSans-Regular.ttf", "B": "NotoSans-Bold.ttf"}


class _RoundPdf(FPDF):
    def __init__(self, heading: str, page_label: str) -> None:
        super().__init__(orientation="landscape", format="A4", unit="mm")
        self.heading = heading
        #: "Seite {page} von {pages}", with fpdf2's alias for the page count.
        self.page_label = page_label

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font(FAMILY, size=8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, self.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2)
            self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.page_label.format(page=self.page_no(), pages="{nb}"),
                  align="C")
        self.set_text_color(0, 0, 0)


def render_round(heading: str, subtitle: str, sections: list[Section], t: Translator
                 ) -> bytes:
    """The PDF of ``sections``: each on a new page, the first under ``heading``."""
    pdf = _RoundPdf(heading, t("round.pdf.page"))
    for style, name in FONTS.items():
        pdf.add_font(FAMILY, style=style, fname=font_path(name))
    pdf.set_title(heading)
    pdf.set_creator("ankommen")
    pdf.set_lang(t.language)
    pdf.set_margins(left=14, top=12, right=14)
    pdf.set_auto_page_break(auto=True, margin=16)
    for number, section in enumerate(sections):
        pdf.add_page()
        if number == 0:
            pdf.set_font(FAMILY, style="B", size=16)
            pdf.multi_cell(0, 8, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font(FAMILY, size=9)
            pdf.multi_cell(0, 5, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(3)
        _section(pdf, number + 1, section)
    return bytes(pdf.output())


def _section(pdf: FPDF, number: int, section: Section) -> None:
    pdf.set_font(FAMILY, style="B", size=13)
    pdf.multi_cell(0, 7, f"{number}. {section.title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=9)
    for note in section.notes:
        pdf.multi_cell(0, 4.5, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    tables = [table for table in section.tables if not table.page_only]
    if not tables:
        pdf.multi_cell(0, 5, section.empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for table in tables:
        _table(pdf, table)
        pdf.ln(4)


def _table(pdf: FPDF, table: Table) -> None:
    if table.caption:
        pdf.set_font(FAMILY, style="B", size=10)
        pdf.multi_cell(0, 5, table.caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=8.5)
    alignments = tuple("RIGHT" if column in table.numeric else "LEFT"
                       for column in range(len(table.headings)))
    with pdf.table(col_widths=_widths(table),
                   headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
                   repeat_headings=1, text_align=alignments, line_height=4.5,
                   cell_fill_color=(245, 245, 245),
                   cell_fill_mode=TableCellFillMode.ROWS) as layout:
        heading = layout.row()
        for text in table.headings:
            heading.cell(text)
        for values in table.rows:
            row = layout.row()
            for text in values:
                row.cell(text)


def _widths(table: Table) -> tuple[int, ...]:
    """Relative column widths by the longest text of each column (a title needs more room
    than a count), within bounds so that no column starves or takes the page."""
    return tuple(min(max(len(text) for text in [heading, *(row[column] for row in table.rows)]),
                     48) + 4
                 for column, heading in enumerate(table.headings))
