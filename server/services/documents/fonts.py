"""The fonts PDFs print with, and the one place that says where they are.

DejaVu Sans (vendored, with its licence) prints Latin, Greek, Cyrillic, Arabic and Hebrew letters.
For the characters it lacks, Chinese, Japanese and Korean above all, each character falls back to
the first font below that has it. ReportLab embeds only the glyphs a document uses (a subset), so
a name in Chinese adds kilobytes, not the font's megabytes. The fallbacks come from Debian
(`apt-get install fonts-droid-fallback`, done by .ci/run); on a machine without one, the characters
only it has print as boxes, as before, and nothing fails.

ReportLab lays text out left to right, letter by letter. Arabic and Hebrew are written right to
left, and Arabic letters join: each run of right-to-left words is shaped (arabic-reshaper picks
each letter's joined form) and drawn reversed, so it reads as written; copied out of the PDF it
comes back in the order typed. Numbers inside such a run keep their own runs (a limit: a sentence
mixing Arabic words and numbers may show its parts in the wrong order).
"""
import logging
import re
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# Server-side only: never served to browsers. Each family has its licence and a README.
FONTS_DIR = Path(__file__).resolve().parents[2] / "fonts"
DEJAVU = FONTS_DIR / "dejavu-fonts-2.37"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
# (name, file): tried in order for a character DejaVu Sans lacks.
FALLBACKS = (
    ("DroidSansFallback", Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")),
)

log = logging.getLogger(__name__)

_RTL_LETTERS = "\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF"  # Hebrew, Arabic and their presentation forms
RTL_RUN = re.compile(f"[{_RTL_LETTERS}]+(?:\\s+[{_RTL_LETTERS}]+)*")


@lru_cache(maxsize=1)
def register():
    """Register DejaVu Sans (regular and bold) and the fallbacks present, once per process;
    returns the names of the fallbacks registered."""
    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(DEJAVU / f"{name}.ttf")))
    # Bold stands in for italic: records use no italics, and a stray <i> must not fail.
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    present = []
    for name, path in FALLBACKS:
        if path.exists():
            pdfmetrics.registerFont(TTFont(name, str(path)))
            present.append(name)
        else:
            log.warning("PDF fallback font %s is missing (%s): its scripts will print as boxes", name, path)
    return tuple(present)


@lru_cache(maxsize=None)
def _covers(font_name):
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def font_for(char):
    """The first font with a glyph for `char` (DejaVu Sans when none has one)."""
    for name in (REGULAR, *register()):
        if ord(char) in _covers(name):
            return name
    return REGULAR


def visual_order(value):
    """`value` with each right-to-left run shaped and reversed, ready to draw left to right."""
    return RTL_RUN.sub(lambda run: arabic_reshaper.reshape(run.group(0))[::-1], value)


def runs(value):
    """`value` in drawing order, cut into (font name, text) runs, each run in one font."""
    cut = []
    for char in visual_order(value):
        name = REGULAR if char in "\n\r\t " else font_for(char)
        if cut and cut[-1][0] == name:
            cut[-1][1] += char
        else:
            cut.append([name, char])
    return [(name, part) for name, part in cut]


def markup(value):
    """Paragraph markup for `value`: escaped, each run a fallback font needs wrapped in <font>."""
    return "".join(escape(part) if name == REGULAR else f'<font face="{name}">{escape(part)}</font>'
                   for name, part in runs(value))
