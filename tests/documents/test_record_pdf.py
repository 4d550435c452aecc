"""The placement record as a PDF: a valid file, every visit, every photo, the right people's
concerns, a header and footer on every page, and pages rendered for a person to look at."""
import io
import re
import subprocess
import unicodedata
from datetime import date

import pytest
from pypdf import PdfReader

from office_review.scenario import provider_check_answers
from rollup.factories import make_visit
from server.extensions import db
from server.models import VisitVersion
from server.services.photo_store import get_photo_store
from tests.documents.conftest import (CONCERN_TEXT, audit_rows, pdf_image_count, pdf_pages, pdf_text,
                                      render_pages)

CONCERN_READERS = ("dsl", "ap_leader", "trust_lead")
OTHER_READERS = ("headteacher", "admin")


def record_pdf(client, placement):
    response = client.get(f"/office/placements/{placement.uuid}/record.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="placement-record-brennan-a-')
    return response.data


def test_the_record_pdf_has_every_visit_and_every_photo(riverside_record, office_as):
    data = record_pdf(office_as("ap_leader"), riverside_record["placement"])
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for number in (1, 2, 3):
        assert f"Visit {number}: Quality-assurance visit on" in text
    assert "Visit 4:" not in text
    assert pdf_image_count(data) == 6
    for words in ("Commissioning agreement", "Provider and risk assessment", "Reviews and what is due",
                  "Follow-up actions", "Ask the provider for the fire drill log", "Done", "Attendance",
                  "Chronology", "Oakfield Independent School", "Folder, visit 2 photo 1",
                  "Did you speak with the pupil?"):
        assert words in text, words
    pages = render_pages(data, "placement-record")
    assert len(pages) == pdf_pages(data) >= 2


def test_every_page_has_the_school_the_marking_and_page_x_of_y(riverside_record, office_as):
    data = record_pdf(office_as("ap_leader"), riverside_record["placement"])
    pages = PdfReader(io.BytesIO(data)).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert "Riverside Academy" in text
        assert text.count("OFFICIAL-SENSITIVE") == 2, number          # at the top and at the foot
        assert f"Page {number} of {len(pages)}" in text
        assert re.search(r"Produced by Priya Marsh on \d{1,2} \w+ \d{4} at \d\d:\d\d", text)


@pytest.mark.parametrize("role", CONCERN_READERS + OTHER_READERS)
def test_concerns_are_in_the_record_only_for_those_who_may_read_them(riverside_record, office_as, demo, role):
    data = record_pdf(office_as(role), riverside_record["placement"])
    text = " ".join(pdf_text(data).split())
    reads = audit_rows("concern.read", riverside_record["concern"].uuid)
    produced = audit_rows("placement_record.pdf", riverside_record["placement"].uuid)
    assert len(produced) == 1 and produced[0].actor_id == demo.user(role).id
    if role in CONCERN_READERS:
        assert CONCERN_TEXT in text and "Safeguarding concern raised by Sam Okafor" in text
        assert [(r.actor_id, r.details["page"]) for r in reads] == [(demo.user(role).id, "placement_record_pdf")]
        assert produced[0].details["concerns"] == 1
    else:
        assert CONCERN_TEXT not in text and "concern raised by" not in text.lower()
        assert "Safeguarding concerns" not in text
        assert reads == [] and produced[0].details["concerns"] == 0


def test_text_typed_on_a_phone_prints_as_typed(riverside_record, office_as):
    visit = riverside_record["visits"][0]
    version = db.session.query(VisitVersion).filter_by(visit_id=visit.id).one()
    answers = dict(version.answers)
    answers["findings"] = {"value": "Used <b>tags</b> & <script>alert(1)</script>\nSecond line"}
    version.answers = answers
    db.session.commit()
    text = pdf_text(record_pdf(office_as("ap_leader"), riverside_record["placement"]))
    assert "Used <b>tags</b> & <script>alert(1)</script>" in text
    assert "Second line" in text


def test_a_photo_missing_from_the_store_does_not_stop_the_record(riverside_record, office_as):
    photo = riverside_record["visits"][0].photos[0]
    get_photo_store().delete(photo.thumbnail_key)
    get_photo_store().delete(photo.storage_key)
    data = record_pdf(office_as("ap_leader"), riverside_record["placement"])
    assert "Photo not available" in pdf_text(data)
    assert pdf_image_count(data) == 5


def test_a_visit_on_its_own_as_a_pdf(riverside_record, office_as, demo):
    visit = riverside_record["visits"][1]
    response = office_as("dsl").get(f"/office/visits/{visit.uuid}/visit.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    assert "Quality-assurance visit on" in text and "Alfie Brennan" in text
    assert "Did you speak with the pupil?" in text
    assert CONCERN_TEXT in " ".join(text.split())
    assert pdf_image_count(response.data) == 2
    row = audit_rows("visit.pdf", visit.uuid)[-1]
    assert row.actor_id == demo.user("dsl").id and row.details == {"concerns": 1}
    assert audit_rows("concern.read", riverside_record["concern"].uuid)[-1].details["page"] == "visit_pdf"
    headteacher = office_as("headteacher").get(f"/office/visits/{visit.uuid}/visit.pdf")
    assert CONCERN_TEXT not in " ".join(pdf_text(headteacher.data).split())
    render_pages(response.data, "visit")


def test_the_printable_page_says_what_the_pdf_says(riverside_record, office_as):
    client = office_as("ap_leader")
    placement = riverside_record["placement"]
    html = client.get(f"/office/placements/{placement.uuid}/record/print").get_data(as_text=True)
    for number in (1, 2, 3):
        assert f"Visit {number}: Quality-assurance visit on" in html
    assert html.count("OFFICIAL-SENSITIVE") >= 2
    assert html.count('src="/office/photos/') == 6
    assert CONCERN_TEXT in html


def test_a_name_in_any_european_script_prints_as_written(riverside_record, office_as):
    pupil = riverside_record["placement"].pupil
    pupil.first_name, pupil.last_name = "Łucja", "Wiśniewska-Ionescu"
    db.session.commit()
    response = office_as("ap_leader").get(f"/office/placements/{riverside_record['placement'].uuid}/record.pdf")
    assert response.status_code == 200
    assert 'filename="placement-record-wisniewska-ionescu-' in response.headers["Content-Disposition"]
    assert "Placement record: Łucja Wiśniewska-Ionescu" in pdf_text(response.data)
    fonts = {font["/BaseFont"].split("+")[-1] for page in PdfReader(io.BytesIO(response.data)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"}, fonts   # every glyph from the embedded font
    render_pages(response.data, "placement-record-names")


def test_a_pre_placement_check_prints_without_a_pupil(riverside_record, office_as, demo):
    provider = riverside_record["placement"].provider
    check = make_visit(demo.user("visiting_staff"), "provider_check", date.today(), provider=provider,
                       answers=provider_check_answers(), mode="online")
    db.session.commit()
    response = office_as("admin").get(f"/office/visits/{check.uuid}/visit.pdf")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.data).split())
    assert "Pre-placement provider check on" in text and provider.name in text
    assert "Anti-bullying policy is out of date." in text
    assert "Date of birth" not in text


def test_a_name_in_chinese_japanese_arabic_and_latin_prints_and_the_file_stays_small(riverside_record, office_as):
    """Each character in the first embedded font that has it (DejaVu Sans, else the CJK fallback),
    subset to the glyphs used: the name adds kilobytes, not the fallback font's megabytes. Arabic
    is drawn joined and right to left, so it reads back (NFKC: its joined forms) in typed order."""
    placement = riverside_record["placement"]
    leader = office_as("ap_leader")
    before = leader.get(f"/office/placements/{placement.uuid}/record.pdf").data
    placement.pupil.first_name, placement.pupil.last_name = "王小明 さくら", "ليلى Smith"
    db.session.commit()
    response = leader.get(f"/office/placements/{placement.uuid}/record.pdf")
    assert response.status_code == 200
    extracted = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=response.data,
                               capture_output=True, check=True).stdout.decode()
    assert "王小明 さくら" in extracted
    assert "ليلى Smith" in unicodedata.normalize("NFKC", extracted).replace("\u202b", "").replace("\u202c", " ")
    fonts = {font["/BaseFont"].split("+")[-1] for page in PdfReader(io.BytesIO(response.data)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback"} and "DroidSansFallback" in fonts, fonts
    assert len(response.data) - len(before) < 60_000, (len(before), len(response.data))
    render_pages(response.data, "placement-record-cjk-arabic")


def test_the_records_attendance_names_each_register_code_with_the_registers_own_label(riverside_record, office_as):
    """The PDF reads the codes' labels from the shared vocabulary, as the register page does."""
    text = " ".join(pdf_text(record_pdf(office_as("ap_leader"), riverside_record["placement"])).split())
    for words in ("By register code", "/ Present (AM): 14", "\\ Present (PM): 12", "O Absent, unauthorised (other): 2"):
        assert words in text, words
