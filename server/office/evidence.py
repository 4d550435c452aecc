"""Scanned paper evidence in the office: reading an upload from a posted form, and the download
of a kept file. Downloads go only to those who may read the provider record at the file's
school, always as an attachment the browser saves (never shows), never cached, and audited."""
import io

from flask import abort, current_app, g, request, send_file

from server.extensions import db
from server.models import EvidenceFile
from server.office import office
from server.office.access import office_page
from server.security import in_school_or_404
from server.services import audit, evidence_files

UPLOAD_FIELD = "file"


def limits():
    return {"max_bytes": current_app.config["EVIDENCE_MAX_BYTES"],
            "max_pixels": current_app.config["PHOTO_MAX_PIXELS"]}


def upload(field=UPLOAD_FIELD):
    """(bytes, file name) of the posted file; (b"", None) when none was chosen. Reads one byte
    past the limit at most, which is enough to refuse it."""
    posted = request.files.get(field)
    if posted is None or not posted.filename:
        return b"", None
    return posted.stream.read(current_app.config["EVIDENCE_MAX_BYTES"] + 1), posted.filename


@office.get("/evidence/<uuid:file_id>")
@office_page("placement.read_record")
def evidence_download(file_id):
    file = in_school_or_404(EvidenceFile, file_id, "placement.read_record")
    try:
        data = evidence_files.read(file)
    except FileNotFoundError:
        abort(404)
    audit.record("evidence.downloaded", file, school_id=g.school.id, provider=str(file.provider.uuid),
                 sha256=file.sha256)
    db.session.commit()
    response = send_file(io.BytesIO(data), mimetype=file.content_type, as_attachment=True,
                         download_name=evidence_files.download_name(file), max_age=0, etag=False,
                         last_modified=None, conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
