"""Line breaking for Thai on the certificate.

Thai writes no spaces between words, so a renderer must know the words to
wrap a line. Pango asks libthai when it has it; to be independent of that and
to choose better breaks for names, the certificate marks the breaks itself:

- each space-separated part (title and first name, surname) is kept whole
  when it fits the line, so a name wraps between first name and surname;
- a part too long for the line is cut into words by PyThaiNLP (newmm, offline
  dictionary) and may wrap only between those words, never inside a word or
  a character cluster (a consonant with its vowels and tone marks).
"""

from __future__ import annotations

from functools import cache

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from certificates.fonts import FONT_FILES

# Kerning and rounding make real lines a little longer than the sum of advances.
SAFETY = 0.96


@cache
def _metrics(weight: str):
    from fontTools.ttLib import TTFont

    # The same static file the PDF embeds (collected files in production).
    path = finders.find(FONT_FILES[weight]) or staticfiles_storage.path(FONT_FILES[weight])
    font = TTFont(path, lazy=True)
    cmap = font.getBestCmap()
    advances = {code: font["hmtx"][glyph][0] for code, glyph in cmap.items()}
    return advances, font["head"].unitsPerEm


def text_width_pt(text: str, size_pt: float, weight: str = "regular") -> float:
    """Width of a line of text in Sarabun, from the font's advance widths."""
    advances, units_per_em = _metrics(weight)
    fallback = units_per_em // 2
    return sum(advances.get(ord(char), fallback) for char in text) * size_pt / units_per_em


@cache
def _tokenizer():
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


def thai_words(text: str) -> list[str]:
    """Words of a piece of text without spaces (PyThaiNLP newmm)."""
    return [word for word in _tokenizer()(text, engine="newmm", keep_whitespace=False) if word]


def _pieces(text: str, size_pt: float, width_pt: float, weight: str) -> list[list[str]]:
    """Each space-separated part as the pieces it may break into."""
    return [
        [part] if text_width_pt(part, size_pt, weight) <= width_pt * SAFETY else thai_words(part)
        for part in text.split()
    ]


def line_count(text: str, *, size_pt: float, width_pt: float, weight: str = "regular") -> int:
    """How many lines `wrap_markup` text takes, filling lines greedily as the
    renderer does."""
    limit = width_pt * SAFETY
    lines, used = 1, 0.0
    space = text_width_pt(" ", size_pt, weight)
    for part in _pieces(text, size_pt, width_pt, weight):
        for index, piece in enumerate(part):
            width = text_width_pt(piece, size_pt, weight)
            gap = space if index == 0 and used else 0.0
            if used and used + gap + width > limit:
                lines, used = lines + 1, width
            else:
                used += gap + width
    return lines


def _unbreakable(text: str) -> str:
    return f'<span class="nobr">{escape(text)}</span>'


def wrap_markup(
    text: str, *, size_pt: float, width_pt: float, weight: str = "regular"
) -> SafeString:
    """HTML for `text` whose only line-break opportunities are the spaces
    between parts and, inside a part too wide for the line, the boundaries
    between Thai words."""
    single_line = " ".join(text.split())
    if text_width_pt(single_line, size_pt, weight) <= width_pt * SAFETY:
        # The usual case: one unbreakable run is less for WeasyPrint to lay
        # out than a run per part.
        return mark_safe(_unbreakable(single_line))  # noqa: S308  (escaped in _unbreakable)
    parts = [
        "<wbr>".join(_unbreakable(piece) for piece in pieces)
        for pieces in _pieces(text, size_pt, width_pt, weight)
    ]
    return mark_safe(" ".join(parts))  # noqa: S308  (every piece is escaped above)
