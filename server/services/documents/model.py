"""The blocks a document is made of, independent of how it is drawn.

`record_pdf`, `visit_pdf` and `governors_report` say *what* a document contains as a
`Document` of sections and blocks; `pdf_layout` draws one as a PDF and the
`office/documents_document.html` template draws the same one as a printable page. Keeping the
content apart from the drawing means the PDF and the page cannot say different things.
"""
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Heading:
    """A heading inside a section (a visit in the record, a part of a report)."""
    text: str
    note: str | None = None        # a line under the heading: who, when, how


@dataclass
class Facts:
    """Label: value pairs. A value of None is shown as "—"."""
    rows: list                      # [(label, value)]


@dataclass
class Para:
    text: str
    tone: str = "body"              # body | muted | warning | concern


@dataclass
class Table:
    header: list
    rows: list                      # [[cell, ...]]
    widths: list | None = None      # relative column widths; equal when None


@dataclass
class PhotoItem:
    photo: object                   # a models.Photo with stored bytes
    caption: str


@dataclass
class Photos:
    items: list                     # [PhotoItem]


@dataclass
class Chart:
    """A horizontal bar chart of counts already made safe to show (see governors_report)."""
    title: str
    bars: list                      # [(label, number or None when suppressed, text shown)]


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)
    tone: str = "body"              # "concern" draws it as safeguarding information

    def add(self, *blocks):
        self.blocks.extend(block for block in blocks if block is not None)
        return self


@dataclass
class Document:
    title: str
    subtitle: str | None
    school_name: str
    produced_by: str
    produced_at: datetime           # timezone-aware
    marking: str                    # printed on every page
    sections: list = field(default_factory=list)
    filename: str = "document.pdf"
