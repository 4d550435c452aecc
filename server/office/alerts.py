"""Alert pages: each person's choice of the alerts they receive; the alerts that could not be
sent, for the school's administration to see and send again; and in development the mail
folder, every message the worker wrote to MAIL_DIR instead of sending."""
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from server.extensions import db
from server.models import Alert
from server.office import office
from server.office.access import office_page
from server.services import alert_delivery, alerts, audit


@office.get("/alerts")
@office_page("alert.read_failed")
def alerts_failed():
    rows = alert_delivery.failed(g.school.id)
    rendered = render_template("office/alerts_failed.html", alerts=rows,
                               mail_folder=current_app.config["MAIL_BACKEND"] == "file")
    db.session.commit()
    return rendered


@office.post("/alerts/<uuid:alert_id>/retry")
@office_page("alert.read_failed")
def alert_retry(alert_id):
    alert = db.session.execute(sa.select(Alert).where(
        Alert.uuid == alert_id, Alert.school_id == g.school.id, Alert.status == "failed")).scalar_one_or_none()
    if alert is None:
        abort(404)
    alert_delivery.retry(alert)
    db.session.commit()
    flash("The alert will be sent again.")
    return redirect(url_for("office.alerts_failed"))


@office.get("/mail-sent")
@office_page("alert.read_failed")
def mail_sent():
    """Only with the development file backend: the school's messages, newest first."""
    if current_app.config["MAIL_BACKEND"] != "file":
        abort(404)
    folder = Path(current_app.config["MAIL_DIR"])
    rows = db.session.execute(sa.select(Alert).where(Alert.school_id == g.school.id, Alert.status == "sent")
                              .order_by(Alert.sent_at.desc()).limit(100)).scalars().all()
    messages = []
    for alert in rows:
        path = folder / f"alert-{alert.uuid}.eml"
        if path.exists():
            messages.append(message_from_bytes(path.read_bytes(), policy=policy.default))
    audit.record("alert.mail_folder_read", g.school, school_id=g.school.id, listed=len(messages))
    rendered = render_template("office/mail_sent.html", messages=messages)
    db.session.commit()
    return rendered


@office.get("/my-alerts")
@office_page("alert.choose_own")
def my_alerts():
    return render_template("office/my_alerts.html", choices=alerts.choices_for(current_user, g.school.id))


@office.post("/my-alerts")
@office_page("alert.choose_own")
def my_alerts_save():
    offered = {kind for kind, *_ in alerts.choices_for(current_user, g.school.id)}
    wanted = {kind for kind in request.form.getlist("receive") if kind in offered}
    alerts.choose(current_user._get_current_object(), g.school.id, wanted)
    db.session.commit()
    flash("Your alert choices are saved.")
    return redirect(url_for("office.my_alerts"))
