"""The Reports page and what it links to: the governors' report (page and PDF, aggregates only:
the one thing governors see), CSV exports, and the local-authority notifications list with
"LA informed on <date>". Everything covers a period chosen on the page, this academic year by
default. Every document produced is in the audit log.

CSV exports stream: the browser starts the download at once and shows its progress while the
rows are written. PDFs are plain download links, fetched beside the open page.
"""
from functools import wraps

import sqlalchemy as sa
from flask import Response, g, render_template, request, stream_with_context, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from server.dates import long_date, school_today
from server.extensions import db
from server.models import Placement, Pupil
from server.models.base import utcnow
from server.office import office
from server.office.access import may, office_page
from server.office.documents import pdf_response
from server.office.form_input import form_errors, submit
from server.schemas.office_forms import InformedSchema, PeriodQuerySchema
from server.services import audit
from server.services.documents import charts, csv_exports, governors_report, la_notifications, pdf_layout, periods
from server.services.documents.model import Chart
from server.services.refusal import Refused


@office.app_template_filter("chart_svg")
def chart_svg(chart):
    """A model.Chart as an SVG data: URI for an <img>."""
    return charts.svg_data_uri(chart) if isinstance(chart, Chart) else ""


def for_chosen_period(download):
    """A download of the period chosen on the Reports page, given to it as `period`; a bad period
    shows the Reports page again with the message instead."""
    @wraps(download)
    def checked(*args, **kwargs):
        period, errors = _period()
        if errors:
            return _refuse_period(errors)
        return download(*args, period=period, **kwargs)
    return checked


@office.get("/reports")
@office_page("report.read")
def reports():
    return _render_index(*_period())


@office.get("/reports/governors")
@office_page("report.read")
def governors_report_page():
    period, errors = _period()
    document = _governors_document(period)
    page = render_template("office/reports_governors.html", document=document, period=period, errors=errors)
    _produced("governors_report.read", **period.as_query())
    return page, 422 if errors else 200


@office.get("/reports/governors.pdf")
@office_page("report.read")
@for_chosen_period
def governors_report_pdf(period):
    document = _governors_document(period)
    data = pdf_layout.render(document)
    _produced("governors_report.pdf", **period.as_query())
    return pdf_response(data, document.filename)


@office.get("/reports/governors.csv")
@office_page("report.read")
@for_chosen_period
def governors_report_csv(period):
    rows = list(governors_report.csv_rows(_governors_document(period)))
    _produced("governors_report.csv", **period.as_query())
    return csv_response(csv_exports.stream(governors_report.CSV_HEADER, rows),
                        f"governors-report-{period.starts_on}-to-{period.ends_on}.csv")


@office.get("/reports/exports/<name>.csv")
@office_page("document.pupil")
def export_csv(name):
    if name not in csv_exports.EXPORTS:  # before the period: an unknown export is not found, whatever the dates
        return render_template("error.html", status=404, message="There is no such export."), 404
    return _export_csv(name)


@for_chosen_period
def _export_csv(name, period):
    header, rows = csv_exports.export(name, g.school.id, period, school_today())
    _produced("export.csv", export=name, **period.as_query())
    return csv_response(csv_exports.stream(header, rows), f"{name}-{period.starts_on}-to-{period.ends_on}.csv")


@office.get("/reports/la-notifications")
@office_page("document.pupil")
def la_notifications_page():
    period, errors = _period()
    return _render_la(period, errors=errors, status=422 if errors else 200)


@office.get("/reports/la-notifications.csv")
@office_page("document.pupil")
@for_chosen_period
def la_notifications_csv(period):
    rows = [n.row() for n in la_notifications.notifications(g.school.id, period)]
    _produced("la_notifications.csv", rows=len(rows), **period.as_query())
    return csv_response(csv_exports.stream(la_notifications.HEADER, rows),
                        f"la-notifications-{period.starts_on}-to-{period.ends_on}.csv")


@office.post("/reports/la-notifications/informed")
@office_page("local_authority.notify")
def la_notifications_informed():
    form = {key: (request.form.getlist(key) if key == "placement" else value)
            for key, value in request.form.items() if key != "csrf_token"}
    form.setdefault("placement", [])
    chosen = {}

    def save(data):
        chosen["period"] = periods.chosen_period(g.school.id, data, school_today())
        marked = la_notifications.mark_informed(g.school.id, data["placement"], data["informed_on"], current_user,
                                                school_today())
        return data, marked

    def refuse(refusal):
        period = chosen.get("period") or periods.this_academic_year(g.school.id, school_today())
        return _render_la(period, errors=refusal.errors, status=422, posted=form)

    return submit(InformedSchema(), save, refuse, read=lambda schema: schema.load(form),
                  done=lambda _: url_for("office.la_notifications_page", **chosen["period"].as_query()),
                  message=lambda saved: f"Recorded: the local authority was told about {len(saved[1])} placement"
                                        f"{'s' if len(saved[1]) != 1 else ''} on {long_date(saved[0]['informed_on'])}.")


# --- Helpers ---------------------------------------------------------------------------------------

def _period():
    """(Period, errors) from ?from=&to=; a bad period falls back to this academic year, with the
    messages to show beside the period form."""
    today = school_today()
    try:
        query = PeriodQuerySchema().load(request.args.to_dict())
        return periods.chosen_period(g.school.id, query, today), {}
    except (ValidationError, Refused) as error:
        return periods.this_academic_year(g.school.id, today), form_errors(error)


def _governors_document(period):
    report = governors_report.build(g.school, period, school_today())
    return governors_report.document(report, current_user, utcnow())


def _produced(action, **details):
    """Every document produced is in the audit log, committed before it is sent."""
    audit.record(action, g.school, school_id=g.school.id, **details)
    db.session.commit()


def _refuse_period(errors):
    """A download asked for with a bad period: the Reports page again, with the message."""
    return _render_index(periods.this_academic_year(g.school.id, school_today()), errors)


def _render_index(period, errors):
    pupil_level = may("document.pupil")
    return render_template("office/reports_index.html", period=period, errors=errors, pupil_level=pupil_level,
                           placements=_placements_in(period) if pupil_level else [],
                           exports=csv_exports.EXPORTS), 422 if errors else 200


def _placements_in(period):
    """The school's placements that overlap the period, for their record PDFs."""
    return db.session.execute(
        sa.select(Placement).join(Pupil, Pupil.id == Placement.pupil_id)
        .where(Placement.school_id == g.school.id, Placement.start_date <= period.ends_on,
               sa.or_(Placement.end_date.is_(None), Placement.end_date >= period.starts_on))
        .order_by(Pupil.last_name, Pupil.first_name, Placement.start_date)
        .options(selectinload(Placement.pupil), selectinload(Placement.provider))).scalars().all()


def _render_la(period, errors=None, status=200, posted=None):
    rows = la_notifications.notifications(g.school.id, period)
    page = render_template("office/reports_la_notifications.html", rows=rows, period=period, errors=errors or {},
                           posted=posted, today=school_today(), school=g.school,
                           may_mark=may("local_authority.notify"))
    # Rendered before the commit, which would expire every row the page reads.
    _produced("la_notifications.read", rows=len(rows), **period.as_query())
    return page, status


def csv_response(chunks, filename):
    """A streamed CSV download: the rows go out as they are written."""
    return Response(stream_with_context(chunks), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
    })
