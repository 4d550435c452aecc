"""The placement record as a PDF: a valid file, every visit, every photo, the right people's
concerns, a header and footer on every page, and pages rendered for a person to look at."""
import re

from tests.documents.conftest import (CONCERN_TEXT, audit_rows, pdf_image_count, pdf_pages, pdf_text,
                                      render_pages)


def test_the_record_pdf_has_every_visit_and_every_photo(riverside_record, office_as):
    placement = riverside_record["placement"]
    response = office_as("ap_leader").get(f"/office/placements/{placement.uuid}/record.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    data = response.data
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for number in (1, 2, 3):
        assert f"Visit {number}: Quality-assurance visit on" in text
    assert "Visit 4:" not in text
    assert pdf_image_count(data) == 6
    pages = render_pages(data, "placement-record")
    assert len(pages) == pdf_pages(data) >= 2
