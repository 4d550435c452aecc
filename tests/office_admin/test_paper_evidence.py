"""A school's paper evidence brought in: a pre-placement check done on paper recorded, with its
scan, as the provider's risk assessment, and scanned documents attached to evidence rows. Only
PDF, JPEG and PNG are kept, checked by their bytes; downloads are attachments for the people who
read the provider record at that school, never cached, and audited."""
import hashlib
import io
import re
import zipfile
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from reportlab.pdfgen import canvas

from server.dates import school_today
from server.extensions import db
from server.models import AuditEvent, Placement, Provider, RiskAssessment
from server.services import evidence_files
from server.services.photo_store import get_photo_store
from server.services.refusal import Refused
from server.vocabulary import ROLES
from tests.office_admin.admin_routes import provider, ready_but_for_the_provider
from tests.office_admin.conftest import page_text

RECORD_READERS = {"ap_leader", "dsl", "headteacher", "admin", "trust_lead"}


# ---- real files of every kind ------------------------------------------------------------

def pdf_bytes(text="Pre-placement check, signed on paper"):
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def pdf_with_javascript():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.add_open_action(JavaScript("app.alert('hello');"))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_script_in_a_compressed_object_stream():
    hidden = zlib.compress(b"1 0 << /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
    return (b"%PDF-1.7\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
            + str(len(hidden)).encode() + b" >>\nstream\n" + hidden + b"\nendstream\nendobj\n%%EOF\n")


def pdf_with_binary_image_data():
    """A scanned page: its image stream is binary, and here holds bytes that read like /JS."""
    noise = bytes(range(256)) * 40 + b" /JS /Launch " + bytes(range(256)) * 40
    return pdf_bytes().replace(b"%%EOF", b"9 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length "
                               + str(len(noise)).encode() + b" >>\nstream\n" + noise + b"\nendstream\nendobj\n%%EOF")


def image_bytes(kind, **save):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 220, 240)).save(buffer, format=kind, **save)
    return buffer.getvalue()


def jpeg_with_location():
    exif = Image.Exif()
    exif[0x010F] = "ScannerMaker"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    return image_bytes("JPEG", exif=exif.tobytes())


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("check.pdf", pdf_bytes())
    return buffer.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'

REFUSED = {
    # name: (bytes, the name it is uploaded under, the reason given)
    "html": (lambda: HTML, "check.pdf", "not_pdf_or_image"),
    "svg": (lambda: SVG, "check.png", "not_pdf_or_image"),
    "zip": (zip_bytes, "check.pdf", "not_pdf_or_image"),
    "png_with_html_appended": (lambda: image_bytes("PNG") + HTML, "check.png", "image_with_extra_data"),
    "jpeg_with_html_appended": (lambda: image_bytes("JPEG") + HTML, "check.jpg", "image_with_extra_data"),
    "pdf_with_javascript": (pdf_with_javascript, "check.pdf", "pdf_active_content"),
    "pdf_with_escaped_names": (lambda: pdf_with_javascript().replace(b"/JavaScript", b"/J#61vaScript")
                               .replace(b"/JS", b"/J#53"), "check.pdf", "pdf_active_content"),
    "pdf_with_script_in_object_stream": (pdf_with_script_in_a_compressed_object_stream, "check.pdf",
                                         "pdf_active_content"),
    "pdf_with_launch_action": (lambda: pdf_bytes().replace(b"%%EOF", b"<< /S /Launch /F (cmd.exe) >>\n%%EOF"),
                               "check.pdf", "pdf_active_content"),
    "pdf_with_embedded_file": (lambda: pdf_bytes().replace(b"%%EOF", b"<< /Type /EmbeddedFile >>\n%%EOF"),
                               "check.pdf", "pdf_active_content"),
    "pdf_that_is_also_a_web_page": (lambda: pdf_bytes() + HTML, "check.pdf", "pdf_with_markup"),
    "pdf_with_hex_encoded_object_stream": (lambda: pdf_with_script_in_a_compressed_object_stream().replace(
        b"/Filter /FlateDecode", b"/Filter [/ASCIIHexDecode /FlateDecode]"), "check.pdf", "pdf_unreadable"),
    "pdf_password_protected": (lambda: pdf_bytes().replace(b"/Root", b"/Encrypt 9 0 R /Root"), "check.pdf",
                               "pdf_encrypted"),
    "empty": (lambda: b"", "check.pdf", "empty"),
}


def check_form(**changes):
    form = {"assessed_on": (school_today() - timedelta(days=60)).isoformat(),
            "assessed_by": "Pat Okafor (former AP lead)", "rating": "medium", "weaknesses": "Fire drill log not seen.", "valid_until": ""}
    form.update(changes)
    return form


def no_evidence_kept(app):
    return not [path for path in (get_photo_store().root / evidence_files.KEY_PREFIX).rglob("*") if path.is_file()]


def error_code(response):
    match = re.search(r'data-error-code="([a-z_]+)"', response.get_data(as_text=True))
    return match[1] if match else None


@pytest.fixture
def unassessed(demo):
    """A registered provider with no risk assessment yet, as a school has on its first morning."""
    made = Provider(school=demo.school(), name="Moorside Skills Centre", registration_status="registered_other",
                    urn="2045678", full_time_pupils=1)
    db.session.add(made)
    db.session.commit()
    return made


def record_check(client, provider_row, data=None, filename="paper-check.pdf", **form):
    data = pdf_bytes() if data is None else data
    return client.post(f"/office/providers/{provider_row.uuid}/existing-check",
                       data={**check_form(**form), "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def assessments_of(provider_row):
    db.session.expire_all()
    return db.session.execute(sa.select(RiskAssessment).where(RiskAssessment.provider_id == provider_row.id)
                              ).scalars().all()


# ---- what is refused ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_each_refused_kind_is_refused_with_its_code_and_nothing_is_kept(app, office_as, unassessed, unchanged, kind):
    make, filename, reason = REFUSED[kind]
    with unchanged():
        response = record_check(office_as("ap_leader"), unassessed, make(), filename)
    assert response.status_code == 422, page_text(response)[:300]
    assert error_code(response) == "document_refused"
    assert no_evidence_kept(app)
    with pytest.raises(Refused) as refused:
        evidence_files.check(make(), app.config["EVIDENCE_MAX_BYTES"], app.config["PHOTO_MAX_PIXELS"])
    assert (refused.value.code, refused.value.details["reason"]) == ("document_refused", reason)


def test_a_file_over_the_size_limit_is_refused_as_too_large(app, office_as, unassessed, unchanged):
    app.config["EVIDENCE_MAX_BYTES"] = 1000
    with unchanged():
        response = record_check(office_as("ap_leader"), unassessed, pdf_bytes("x" * 80) + b"%" + b"0" * 1000)
    assert response.status_code == 413
    assert error_code(response) == "document_too_large"
    assert no_evidence_kept(app)


def test_a_check_with_no_file_is_refused(app, office_as, unassessed, unchanged):
    client = office_as("ap_leader")
    with unchanged():
        response = client.post(f"/office/providers/{unassessed.uuid}/existing-check", data=check_form(),
                               content_type="multipart/form-data")
    assert response.status_code == 422 and error_code(response) == "document_refused"


@pytest.mark.parametrize("changes", [
    {"valid_until": "2099-01-01"},                                     # longer than 12 months (§7.9)
    {"assessed_on": (school_today() + timedelta(days=1)).isoformat()},  # not done yet
    {"rating": "fine"},
    {"assessed_by": ""},
])
def test_a_check_with_wrong_details_is_refused_and_keeps_no_file(app, office_as, unassessed, unchanged, changes):
    with unchanged():
        response = record_check(office_as("ap_leader"), unassessed, **changes)
    assert response.status_code == 422
    assert no_evidence_kept(app)


# ---- what is kept ------------------------------------------------------------------------

def test_a_recorded_paper_check_becomes_the_risk_assessment_with_its_scan(app, office_as, demo, unassessed):
    scan = pdf_bytes()
    response = record_check(office_as("ap_leader"), unassessed, scan, "Moorside check 2026.pdf")
    assert response.status_code == 302, page_text(response)[:400]
    (assessment,) = assessments_of(unassessed)
    assessed_on = school_today() - timedelta(days=60)
    assert (assessment.rating, assessment.assessed_on, assessment.assessed_by, assessment.weaknesses) == (
        "medium", assessed_on, "Pat Okafor (former AP lead)", "Fire drill log not seen.")
    assert assessment.valid_until.year == assessed_on.year + 1  # a blank date: the full 12 months
    assert assessment.signed_off_by_id == demo.user("ap_leader").id and assessment.visit_id is None
    kept = assessment.evidence_file
    assert (kept.content_type, kept.sha256, kept.byte_size) == ("application/pdf", hashlib.sha256(scan).hexdigest(),
                                                                len(scan))
    assert get_photo_store().read(kept.storage_key) == scan
    assert kept.storage_key.startswith(f"evidence/{demo.school().uuid}/")
    actions = db.session.execute(sa.select(AuditEvent.action, AuditEvent.details)).all()
    created = [d for a, d in actions if a == "risk_assessment.created"]
    assert created and created[0]["source"] == "existing_check"
    assert any(a == "evidence.uploaded" for a, _ in actions)
    record = page_text(office_as("dsl").get(f"/office/providers/{unassessed.uuid}/record"))
    assert "by Pat Okafor (former AP lead) (recorded from paper)" in record and "Moorside check 2026.pdf" in record


def test_a_scanned_pdf_whose_image_bytes_read_like_a_script_is_kept(app, office_as, unassessed):
    scan = pdf_with_binary_image_data()
    assert record_check(office_as("ap_leader"), unassessed, scan).status_code == 302
    (assessment,) = assessments_of(unassessed)
    assert get_photo_store().read(assessment.evidence_file.storage_key) == scan


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_pictures_are_kept_re_encoded_without_their_metadata(app, office_as, unassessed, kind):
    original = jpeg_with_location() if kind == "JPEG" else image_bytes("PNG", pnginfo=_png_text())
    assert record_check(office_as("ap_leader"), unassessed, original, f"scan.{kind.lower()}").status_code == 302
    (assessment,) = assessments_of(unassessed)
    kept = get_photo_store().read(assessment.evidence_file.storage_key)
    image = Image.open(io.BytesIO(kept))
    assert image.format == kind and image.size == (300, 200)
    assert assessment.evidence_file.content_type == f"image/{kind.lower()}"
    assert b"ScannerMaker" not in kept and b"Author" not in kept and not image.getexif()
    assert assessment.evidence_file.sha256 == hashlib.sha256(kept).hexdigest()


def _png_text():
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    info.add_text("Author", "<script>alert(1)</script>")
    return info


def test_a_recorded_check_lets_a_planned_placement_start(app, office_as, api_as, demo, unassessed):
    placement = ready_but_for_the_provider(demo, unassessed)
    start = {"path": f"/api/admin/placements/{placement.uuid}/status", "json": {"status": "active"}}
    refused = api_as("ap_leader").post(**start)
    assert refused.status_code == 422 and refused.get_json()["code"] == "placement_not_ready"
    assert any("risk assessment" in line for line in refused.get_json()["details"]["missing"])
    assert record_check(office_as("ap_leader"), unassessed).status_code == 302
    assert api_as("ap_leader").post(**start).status_code == 200
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status == "active"


# ---- downloads ---------------------------------------------------------------------------

@pytest.fixture
def kept_scan(office_as, unassessed):
    scan = pdf_bytes()
    record_check(office_as("ap_leader"), unassessed, scan, "scans/2026/Check <script>.html")
    (assessment,) = assessments_of(unassessed)
    return assessment.evidence_file, scan


def test_a_download_is_an_uncached_attachment_of_what_the_file_really_is(office_as, kept_scan):
    file, scan = kept_scan
    response = office_as("dsl").get(f"/office/evidence/{file.uuid}")
    assert response.status_code == 200 and response.data == scan
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="Check script.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


def test_every_download_is_audited(office_as, demo, kept_scan):
    file, _ = kept_scan
    office_as("trust_lead").get(f"/office/evidence/{file.uuid}")
    office_as("admin").get(f"/office/evidence/{file.uuid}")
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "evidence.downloaded")
                                ).scalars().all()
    assert sorted(e.actor_id for e in events) == sorted([demo.user("trust_lead").id, demo.user("admin").id])
    assert {(e.object_id, e.school_id) for e in events} == {(str(file.uuid), demo.school().id)}


@pytest.mark.parametrize("role", ROLES)
def test_downloads_are_for_record_readers_of_the_files_school_only(office_as, kept_scan, role):
    file, _ = kept_scan
    path = f"/office/evidence/{file.uuid}"
    assert office_as(role).get(path).status_code == (200 if role in RECORD_READERS else 403), role
    assert office_as(role, "hillcrest").get(path).status_code == (404 if role in RECORD_READERS else 403), role
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "evidence.downloaded", AuditEvent.school_id != file.school_id)).scalar() == 0


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"ap_leader", "headteacher"}))
def test_only_those_who_sign_off_checks_may_record_one(app, office_as, unassessed, unchanged, role):
    with unchanged():
        assert record_check(office_as(role), unassessed).status_code == 403
    assert no_evidence_kept(app)


def test_another_schools_provider_cannot_be_given_a_check(app, office_as, demo, unchanged):
    with unchanged():
        assert record_check(office_as("ap_leader", "hillcrest"), provider(demo)).status_code == 404
    assert no_evidence_kept(app)


# ---- documents on evidence rows ----------------------------------------------------------

def edit_form(row, **extra):
    return {"name": row.name, "registration_status": row.registration_status, "urn": row.urn or "",
            "full_time_pupils": str(row.full_time_pupils), "evidence-0-kind": "insurance",
            "evidence-0-description": "Public liability", "evidence-0-expires_on": "2027-08-31", **extra}


def test_a_scan_attached_to_an_evidence_row_stays_with_it_through_later_edits(app, office_as, demo):
    oakfield = provider(demo)
    client = office_as("admin")
    letter = pdf_bytes("Insurance certificate")
    response = client.post(f"/office/providers/{oakfield.uuid}/edit", content_type="multipart/form-data",
                           data=edit_form(oakfield, **{"evidence-0-upload": (io.BytesIO(letter), "insurance.pdf")}))
    assert response.status_code == 302, page_text(response)[:400]
    db.session.expire_all()
    (row,) = provider(demo).evidence
    assert row.file is not None and get_photo_store().read(row.file.storage_key) == letter
    file_uuid = row.file.uuid
    page = client.get(f"/office/providers/{oakfield.uuid}/edit").get_data(as_text=True)
    assert f'name="evidence-0-file" value="{file_uuid}"' in page
    # Saving again, with a new expiry, keeps the document on the row.
    later = edit_form(oakfield, **{"evidence-0-file": str(file_uuid), "evidence-0-expires_on": "2028-08-31"})
    assert client.post(f"/office/providers/{oakfield.uuid}/edit", data=later).status_code == 302
    db.session.expire_all()
    (row,) = provider(demo).evidence
    assert (row.expires_on.isoformat(), row.file.uuid) == ("2028-08-31", file_uuid)
    assert f"/office/evidence/{file_uuid}" in office_as("dsl").get(
        f"/office/providers/{oakfield.uuid}/record").get_data(as_text=True)


def test_a_refused_scan_on_an_evidence_row_saves_nothing(app, office_as, demo, unchanged):
    oakfield = provider(demo)
    with unchanged():
        response = office_as("ap_leader").post(
            f"/office/providers/{oakfield.uuid}/edit", content_type="multipart/form-data",
            data=edit_form(oakfield, **{"evidence-0-upload": (io.BytesIO(SVG), "insurance.pdf")}))
    assert response.status_code == 422 and error_code(response) == "document_refused"
    assert no_evidence_kept(app)


def test_a_good_scan_stored_before_another_rows_scan_is_refused_leaves_no_file_behind(app, office_as, demo, unchanged):
    # Row 1's scan passed its checks and was stored before row 2's was refused: the refusal
    # saves nothing, so it must take the stored bytes with it.
    oakfield = provider(demo)
    form = edit_form(oakfield, **{"evidence-0-upload": (io.BytesIO(pdf_bytes("Insurance")), "insurance.pdf"),
                                  "evidence-1-kind": "other", "evidence-1-description": "Fire certificate",
                                  "evidence-1-expires_on": "2027-08-31",
                                  "evidence-1-upload": (io.BytesIO(SVG), "fire.pdf")})
    with unchanged():
        response = office_as("ap_leader").post(f"/office/providers/{oakfield.uuid}/edit",
                                               content_type="multipart/form-data", data=form)
    assert response.status_code == 422 and error_code(response) == "document_refused"
    assert no_evidence_kept(app)


def test_a_form_refused_after_its_scan_was_stored_leaves_no_file_behind(app, office_as, demo, unchanged):
    oakfield = provider(demo)
    with unchanged():
        response = office_as("ap_leader").post(
            f"/office/providers/{oakfield.uuid}/edit", content_type="multipart/form-data",
            data=edit_form(oakfield, **{"evidence-0-upload": (io.BytesIO(pdf_bytes("Insurance")), "insurance.pdf"),
                                        "evidence-0-expires_on": "not a date"}))
    assert response.status_code == 422
    assert no_evidence_kept(app)


def test_an_evidence_row_cannot_name_another_providers_or_schools_file(app, office_as, demo, kept_scan, unchanged):
    file, _ = kept_scan  # Moorside's, at Riverside
    for school in ("riverside", "hillcrest"):
        target = provider(demo, school)
        with unchanged():
            response = office_as("ap_leader", school).post(
                f"/office/providers/{target.uuid}/edit", data=edit_form(target, **{"evidence-0-file": str(file.uuid)}))
        assert response.status_code == 422, school
