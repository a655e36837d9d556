"""Reading a rendered PDF's text back with its position (pypdfium2): the letter tests check
script, direction and shaping on what was printed, not on what was meant to be."""

from __future__ import annotations

import unicodedata

import pypdfium2

#: The letter's side margins (20 mm) in PDF points.
MARGIN = 20 / 25.4 * 72


def lines_of(document: pypdfium2.PdfDocument) -> list[list[tuple[str, tuple]]]:
    """The first page's characters with their boxes (left, bottom, right, top), line by
    line in text order."""
    text_page = document[0].get_textpage()
    lines: list[list[tuple[str, tuple]]] = [[]]
    for index, character in enumerate(text_page.get_text_range()):
        if character in "\r\n":
            if lines[-1]:
                lines.append([])
            continue
        lines[-1].append((character, text_page.get_charbox(index)))
    return [line for line in lines if line]


def is_arabic(character: str) -> bool:
    return "\u0600" <= character <= "\u06ff"


def is_cyrillic(character: str) -> bool:
    return "\u0400" <= character <= "\u04ff"


def lines_in(document: pypdfium2.PdfDocument, script) -> list[list[tuple[str, tuple]]]:  # noqa: ANN001
    """The lines mostly in ``script`` (a predicate such as :func:`is_arabic`)."""
    return [line for line in lines_of(document)
            if sum(script(character) for character, _ in line) > len(line) / 2]


def right_to_left(lines: list[list[tuple[str, tuple]]], page_width: float) -> bool:
    """Every line ends at the right margin and its first character stands right of its
    last (4 pt of slack for a bullet's side bearing)."""
    for line in lines:
        boxes = [box for character, box in line if not character.isspace()]
        if abs(max(box[2] for box in boxes) - (page_width - MARGIN)) > 4:
            return False
        if not boxes[0][0] > boxes[-1][0]:
            return False
    return bool(lines)


def left_to_right(lines: list[list[tuple[str, tuple]]]) -> bool:
    for line in lines:
        boxes = [box for character, box in line if not character.isspace()]
        if abs(min(box[0] for box in boxes) - MARGIN) > 4 or not boxes[0][0] < boxes[-1][0]:
            return False
    return bool(lines)


def joins_left(character: str) -> bool:
    """Dual-joining Arabic letters: they connect to the letter that follows."""
    return unicodedata.name(character, "").startswith("ARABIC LETTER") and character not in \
        "اأإآدذرزوؤءةى"


def joined_share(lines: list[list[tuple[str, tuple]]]) -> tuple[int, float]:
    """How many pairs of a joining Arabic letter and the next letter there are, and the share
    of them that touch: shaped (joined) glyphs meet, isolated forms stand apart by their side
    bearings."""
    pairs = joined = 0
    for line in lines:
        for (first, box), (second, next_box) in zip(line, line[1:], strict=False):
            if is_arabic(first) and is_arabic(second) and joins_left(first):
                pairs += 1
                joined += box[0] - next_box[2] <= 0.05
    return pairs, joined / pairs if pairs else 0.0
