"""Draws a `model.Document` as an A4 PDF with ReportLab.

Every page carries the school's name and the document's marking at the top, and at the foot
who produced it and when, the marking again, and "Page 3 of 12". The total is known only at
the end, so the canvas holds each finished page and writes the footers when the document is
saved (ReportLab's usual two-step canvas).

Text from records is escaped before it reaches ReportLab's paragraph markup, so a note that
contains "<b>" prints as typed. The fonts (fonts.py: DejaVu Sans, and per character a fallback for
the scripts it lacks) are embedded in the file, subset to the glyphs used, so every pupil's name
prints as written and the same everywhere, in the running header and footer too.
"""
import io
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (CondPageBreak, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)

from server.dates import in_england, long_date
from server.services.documents import charts, fonts
from server.services.documents.model import Chart, Facts, Heading, Para, Photos
from server.services.documents.model import Table as TableBlock
from server.services.photo_store import get_photo_store

# ReportLab wraps every stream in ASCII85 by default: a quarter bigger, and encoded in pure Python
# (most of the time a photo-heavy record took). Binary streams are what every PDF reader expects.
rl_config.useA85 = 0

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
FRAME_PADDING = 6            # ReportLab's frames keep 6 points inside the margins
LEFT = MARGIN + FRAME_PADDING
RIGHT = PAGE_WIDTH - MARGIN - FRAME_PADDING
CONTENT_WIDTH = RIGHT - LEFT
PHOTOS_PER_ROW = 3
PHOTO_BOX = (CONTENT_WIDTH / PHOTOS_PER_ROW - 4 * mm, 42 * mm)

INK = colors.HexColor("#1d2430")
MUTED = colors.HexColor("#5b6675")
LINE = colors.HexColor("#d8dde4")
WASH = colors.HexColor("#f4f6f8")
BRAND = colors.HexColor("#1f4e79")
BAD = colors.HexColor("#a4262c")
BAD_WASH = colors.HexColor("#fdecea")
WARN_WASH = colors.HexColor("#fff4d6")


FONT, BOLD = fonts.REGULAR, fonts.BOLD


def _fonts():
    """Register the fonts once per process; returns the body font's name."""
    fonts.register()
    return FONT


@lru_cache(maxsize=1)
def _styles():
    font = _fonts()
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=12.5, textColor=INK, alignment=TA_LEFT)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "muted": ParagraphStyle("muted", parent=base, textColor=MUTED),
        "warning": ParagraphStyle("warning", parent=base, backColor=WARN_WASH, borderPadding=4, spaceBefore=4,
                                  spaceAfter=6),
        "concern": ParagraphStyle("concern", parent=base, backColor=BAD_WASH, borderPadding=4, spaceBefore=4,
                                  spaceAfter=6),
        "label": ParagraphStyle("label", parent=base, textColor=MUTED),
        "strong": ParagraphStyle("strong", parent=base, fontName=BOLD, spaceBefore=4, spaceAfter=1),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=BOLD, fontSize=8.5, leading=11,
                                    textColor=MUTED),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=17, leading=21, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=14, textColor=MUTED,
                                   spaceAfter=8),
        "section": ParagraphStyle("section", parent=base, fontName=BOLD, fontSize=13, leading=16,
                                  textColor=BRAND, spaceBefore=10, spaceAfter=5),
        "section_concern": ParagraphStyle("section_concern", parent=base, fontName=BOLD, fontSize=13,
                                          leading=16, textColor=BAD, spaceBefore=10, spaceAfter=5),
        "heading": ParagraphStyle("heading", parent=base, fontName=BOLD, fontSize=11, leading=14,
                                  spaceBefore=8, spaceAfter=1),
        "caption": ParagraphStyle("caption", parent=base, fontSize=7.5, leading=9.5, textColor=MUTED),
    }


def text(value):
    """Record text as paragraph markup: escaped, line breaks kept, "—" for nothing."""
    if value is None or value == "":
        return "—"
    return fonts.markup(str(value).replace("\r\n", "\n")).replace("\n", "<br/>")


def render(document):
    """The PDF bytes of `document`."""
    buffer = io.BytesIO()
    styles = _styles()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 8 * mm,
        bottomMargin=MARGIN + 8 * mm, title=document.title, author=document.produced_by,
        subject=f"{document.school_name} · {document.marking}", creator="AP visits",
        initialFontName=styles["body"].fontName)
    story = [Paragraph(text(document.title), styles["title"])]
    if document.subtitle:
        story.append(Paragraph(text(document.subtitle), styles["subtitle"]))
    for section in document.sections:
        # Keep a section's heading with the start of its content (and with a first sub-heading's).
        leads_with_heading = bool(section.blocks) and isinstance(section.blocks[0], Heading)
        story.append(CondPageBreak((55 if leads_with_heading else 30) * mm))
        style = styles["section_concern"] if section.tone == "concern" else styles["section"]
        story.append(Paragraph(text(section.title), style))
        for index, block in enumerate(section.blocks):
            story.extend(_flowables(block, styles, first=index == 0, section_title=section.title))
    produced = in_england(document.produced_at)
    footer = f"Produced by {document.produced_by} on {long_date(produced)} at {produced:%H:%M}"
    template.build(story, canvasmaker=_numbered_canvas(document.school_name, document.marking, footer))
    return buffer.getvalue()


def _flowables(block, styles, first=False, section_title=None):
    if isinstance(block, Heading):
        parts = [Paragraph(text(block.text), styles["heading"])]
        if block.note:
            parts.append(Paragraph(text(block.note), styles["muted"]))
        # A heading needs room for a few lines under it, unless the section title just made sure.
        return ([] if first else [CondPageBreak(25 * mm)]) + [*parts, Spacer(1, 2 * mm)]
    if isinstance(block, Para):
        return [Paragraph(text(block.text), styles.get(block.tone, styles["body"])), Spacer(1, 1.5 * mm)]
    if isinstance(block, Facts):
        return [_facts(block, styles), Spacer(1, 2 * mm)]
    if isinstance(block, TableBlock):
        return [_table(block, styles), Spacer(1, 2 * mm)]
    if isinstance(block, Photos):
        return [_photos(block, styles), Spacer(1, 2 * mm)]
    if isinstance(block, Chart):
        # A chart that says what its section already says needs no title of its own.
        title = [] if block.title == section_title else [Paragraph(text(block.title), styles["heading"])]
        return [KeepTogether([*title, charts.drawing(block, CONTENT_WIDTH, font=_fonts())]), Spacer(1, 3 * mm)]
    raise TypeError(f"no PDF layout for {type(block).__name__}")


def _facts(block, styles):
    rows = [[Paragraph(text(label), styles["label"]), Paragraph(text(value), styles["body"])]
            for label, value in block.rows]
    table = Table(rows, colWidths=[CONTENT_WIDTH * 0.3, CONTENT_WIDTH * 0.7])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _table(block, styles):
    widths = block.widths or [1] * len(block.header)
    total = sum(widths)
    data = [[Paragraph(text(cell), styles["cell_head"]) for cell in block.header]]
    data += [[Paragraph(text(cell), styles["small"]) for cell in row] for row in block.rows]
    table = Table(data, colWidths=[CONTENT_WIDTH * w / total for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, 0), WASH),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return table


def _photos(block, styles):
    store = get_photo_store()
    cells = []
    for item in block.items:
        picture = _picture(store, item.photo)
        caption = Paragraph(text(item.caption), styles["caption"])
        cells.append([picture or Paragraph("Photo not available", styles["muted"]), caption])
    rows = [cells[i:i + PHOTOS_PER_ROW] for i in range(0, len(cells), PHOTOS_PER_ROW)]
    rows[-1] += [""] * (PHOTOS_PER_ROW - len(rows[-1]))
    table = Table(rows, colWidths=[CONTENT_WIDTH / PHOTOS_PER_ROW] * PHOTOS_PER_ROW)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT),
                               ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return table


def _picture(store, photo):
    """The photo's thumbnail scaled into the grid cell, or None when its bytes are missing."""
    key = photo.thumbnail_key or photo.storage_key
    try:
        data = store.read(key)
    except (FileNotFoundError, ValueError):
        return None
    width, height = ImageReader(io.BytesIO(data)).getSize()
    scale = min(PHOTO_BOX[0] / width, PHOTO_BOX[1] / height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale, hAlign="LEFT")


def _draw_runs(canvas, x, y, value, font, size):
    """drawString with the fallback fonts: each run in the font that has its characters."""
    for name, part in fonts.runs(value):
        name = font if name == fonts.REGULAR else name
        canvas.setFont(name, size)
        canvas.drawString(x, y, part)
        x += stringWidth(part, name, size)


def _numbered_canvas(school_name, marking, footer):
    """A canvas class that draws the running header and the "Page X of Y" footer."""
    font = _fonts()

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total):
            self.saveState()
            top = PAGE_HEIGHT - MARGIN
            self.setFillColor(MUTED)
            _draw_runs(self, LEFT, top, school_name, font, 8.5)
            self.setFont(BOLD, 9)
            self.setFillColor(BAD)
            self.drawRightString(RIGHT, top, marking)
            self.setStrokeColor(LINE)
            self.line(LEFT, top - 2.5 * mm, RIGHT, top - 2.5 * mm)
            bottom = MARGIN
            self.line(LEFT, bottom + 4 * mm, RIGHT, bottom + 4 * mm)
            self.setFillColor(MUTED)
            _draw_runs(self, LEFT, bottom, footer, font, 7.5)
            self.setFont(font, 8)
            self.drawRightString(RIGHT, bottom, f"Page {self._pageNumber} of {total}")
            self.setFont(BOLD, 8)
            self.setFillColor(BAD)
            self.drawCentredString(PAGE_WIDTH / 2, bottom - 4.5 * mm, marking)
            self.restoreState()

    return NumberedCanvas
