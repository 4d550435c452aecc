"""Importing pupils from a CSV export of the school's MIS, in three steps: upload the file,
match its columns to pupil fields, and see a dry run of what will be added, changed and
rejected (and why, line by line) before applying it all at once.

The file waits on the server under a random name that only this browser session knows; "apply"
re-reads that file and re-plans, and refuses if the plan is no longer the one that was shown.
"""
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from marshmallow import ValidationError

from server.errors import status_of
from server.office import office
from server.office.access import office_page
from server.office.form_input import error_messages, load_form, submit
from server.schemas.admin_pupils import IMPORT_FIELD_LABELS, IMPORT_FIELDS, REQUIRED_IMPORT_FIELDS, PupilImportSchema
from server.services import pupil_import as import_service
from server.services.refusal import Refused

SESSION_KEY = "pupil_import"
SAMPLE_ROWS = 3


@office.route("/pupils/import", methods=["GET", "POST"])
@office_page("school.administer")
def pupil_import():
    if request.method == "GET":
        return render_template("office/admin/pupil_import_upload.html")
    upload = request.files.get("file")
    raw = upload.read(import_service.MAX_IMPORT_BYTES + 1) if upload else b""
    try:
        import_service.read_csv(raw)
    except Refused as refused:
        return render_template("office/admin/pupil_import_upload.html", error=str(refused)), status_of(refused)
    previous = (session.get(SESSION_KEY) or {}).get("token")
    if previous:
        import_service.discard_upload(current_app.config["DATA_DIR"], previous)
    token = import_service.store_upload(current_app.config["DATA_DIR"], raw)
    session[SESSION_KEY] = {"token": token, "school_id": g.school.id, "filename": (upload.filename or "")[:120]}
    return redirect(url_for("office.pupil_import_step", token=token))


@office.route("/pupils/import/<token>", methods=["GET", "POST"])
@office_page("school.administer")
def pupil_import_step(token):
    csv_file = _kept_file(token)
    if request.method == "GET":
        return _render_mapping(token, csv_file, import_service.guess_mapping(csv_file))
    # Planning reads and changes nothing, so its refusals need no rollback: the mapping page again.
    try:
        mapping = load_form(PupilImportSchema(only=("mapping",)))["mapping"]
        plan = import_service.plan_import(g.school, csv_file, mapping)
    except ValidationError as error:
        return _render_mapping(token, csv_file, _posted_mapping(), error_messages(error).get("mapping")), 422
    except Refused as refused:
        return _render_mapping(token, csv_file, _posted_mapping(), [str(refused)]), status_of(refused)
    if request.form.get("action") != "apply":
        return _render_preview(token, mapping, plan)
    if request.form.get("fingerprint") != plan.fingerprint:
        return _render_preview(token, mapping, plan, moved=True), 409

    def applied(_):
        import_service.discard_upload(current_app.config["DATA_DIR"], token)
        session.pop(SESSION_KEY, None)
        return redirect(url_for("office.pupils"))

    return submit(None, lambda _: import_service.apply_import(g.school, plan, current_user),
                  # conflict: another change overtook the plan, so the new plan is shown
                  lambda _: (_render_preview(token, mapping, import_service.plan_import(g.school, csv_file, mapping),
                                             moved=True), 409),
                  message=f"Import done: {len(plan.created)} added, {len(plan.changed)} changed, "
                          f"{len(plan.unchanged)} already up to date, {len(plan.rejected)} rejected.",
                  page=applied)


def _kept_file(token):
    """The file this session uploaded for this school; anything else is not found."""
    kept = session.get(SESSION_KEY) or {}
    if kept.get("token") != token or kept.get("school_id") != g.school.id:
        abort(404)
    raw = import_service.load_upload(current_app.config["DATA_DIR"], token)
    if raw is None:
        session.pop(SESSION_KEY, None)
        flash("That upload has expired. Upload the file again.", "warning")
        abort(redirect(url_for("office.pupil_import")))
    return import_service.read_csv(raw)


def _posted_mapping():
    return {name: request.form.get(f"mapping-{name}", "") for name in IMPORT_FIELDS}


def _render_mapping(token, csv_file, mapping, errors=None):
    return render_template(
        "office/admin/pupil_import_map.html", token=token, csv_file=csv_file, mapping=mapping,
        fields=[(name, IMPORT_FIELD_LABELS[name], name in REQUIRED_IMPORT_FIELDS) for name in IMPORT_FIELDS],
        sample=csv_file.rows[:SAMPLE_ROWS], filename=(session.get(SESSION_KEY) or {}).get("filename"),
        errors=errors or [])


def _render_preview(token, mapping, plan, moved=False):
    return render_template("office/admin/pupil_import_preview.html", token=token, mapping=mapping, plan=plan,
                           moved=moved, labels=IMPORT_FIELD_LABELS)
