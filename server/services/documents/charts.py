"""Horizontal bar charts drawn on the server with ReportLab's graphics: the same drawing goes
into the PDF and, as SVG, into the office page, so the two cannot disagree and the browser runs
no charting script.

A bar whose count is suppressed (1 to 4, see governors_report) is drawn with no length at all
and labelled "<5": a bar's length would give the number away.
"""
import base64

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

ROW_HEIGHT = 19
BAR_HEIGHT = 12
LABEL_SHARE = 0.5        # of the width, for the bar labels
VALUE_ROOM = 34          # points kept right of the longest bar for its number
# In the PDF the chart uses the document's embedded font (every name prints as written); in SVG,
# Helvetica, which every browser maps to its own sans-serif.
SVG_FONT = "Helvetica"
FONT_SIZE = 9
BAR = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#5b6675")
LINE = colors.HexColor("#d8dde4")
INK = colors.HexColor("#1d2430")


def drawing(chart, width, font=SVG_FONT):
    """A ReportLab Drawing of `chart` (model.Chart), `width` points wide, its text in `font`
    (a font registered with ReportLab)."""
    height = ROW_HEIGHT * max(len(chart.bars), 1) + 6
    canvas = Drawing(width, height)
    label_width = width * LABEL_SHARE
    bar_space = width - label_width - VALUE_ROOM
    shown = [number for _, number, _ in chart.bars if number is not None]
    top = max(shown, default=0) or 1
    canvas.add(Line(label_width, 2, label_width, height - 2, strokeColor=LINE, strokeWidth=0.75))
    for index, (label, number, shown_text) in enumerate(chart.bars):
        y = height - (index + 1) * ROW_HEIGHT
        canvas.add(String(label_width - 6, y + 3, _fit(label, label_width - 10, font), fontName=font,
                          fontSize=FONT_SIZE, fillColor=INK, textAnchor="end"))
        length = bar_space * number / top if number else 0
        if length:
            canvas.add(Rect(label_width, y, length, BAR_HEIGHT, fillColor=BAR, strokeColor=None))
        canvas.add(String(label_width + length + 4, y + 3, shown_text, fontName=font, fontSize=FONT_SIZE,
                          fillColor=INK if number else MUTED))
    return canvas


def svg_data_uri(chart, width=330):
    """The chart as an SVG image in a data: URI, for an <img> on an office page. An image, not
    inline markup: the browser runs nothing in it and its ids cannot clash with the page's.
    Drawn about as wide as a phone, so its labels stay readable there; a desk scales it up."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(chart, width).encode("utf-8")).decode("ascii")


def svg(chart, width=330):
    return renderSVG.drawToString(drawing(chart, width))


def _fit(label, room, font):
    """Shorten a label with "…" until it fits `room` points."""
    if stringWidth(label, font, FONT_SIZE) <= room:
        return label
    while label and stringWidth(label + "…", font, FONT_SIZE) > room:
        label = label[:-1]
    return label.rstrip() + "…"
