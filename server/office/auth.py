"""Signing in and out of the office pages, and choosing which school to work on."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from server.extensions import db, limiter
from server.office import office
from server.office.access import choose_school
from server.security import end_current_session, start_session
from server.services import audit
from server.services.accounts import SignInRefused, authenticate
from server.errors import CATALOG


def _safe_next(target):
    """Only same-site paths: never redirect a signed-in user off the site."""
    if not target:
        return url_for("office.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("office.home")
    return target


@office.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def sign_in():
    if request.method == "GET":
        return render_template("office/sign_in.html", next=request.args.get("next", ""))
    config = current_app.config
    try:
        user = authenticate(request.form.get("email", ""), request.form.get("password", ""),
                            config["LOGIN_LOCKOUT_THRESHOLD"], config["LOGIN_LOCKOUT_MINUTES"])
    except SignInRefused as refused:
        db.session.commit()  # keep the failed-attempt count
        status = CATALOG[refused.code][0]
        return render_template("office/sign_in.html", error=CATALOG[refused.code][1],
                               next=request.form.get("next", "")), status
    start_session(user)
    audit.record("session.started", user, via="office")
    db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@office.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        audit.record("session.ended", current_user._get_current_object(), via="office")
        end_current_session()
        db.session.commit()
    return redirect(url_for("office.sign_in"))


@office.post("/school")
@login_required
def switch_school():
    choose_school(request.form.get("school_id", type=int))
    flash("School changed.")
    return redirect(url_for("office.home"))
