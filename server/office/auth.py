"""Signing in and out of the office pages, and choosing which school to work on."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from server.errors import CATALOG
from server.extensions import db
from server.office import office
from server.office.access import choose_school
from server.security import end_current_session, sign_in_limit, sign_in_with_password
from server.services import audit
from server.services.accounts import SignInRefused


def _safe_next(target):
    """Only same-site paths: never redirect a signed-in user off the site."""
    if not target:
        return url_for("office.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("office.home")
    return target


@office.route("/sign-in", methods=["GET", "POST"])
@sign_in_limit
def sign_in():
    if request.method == "GET":
        return render_template("office/sign_in.html", next=request.args.get("next", ""))
    try:
        sign_in_with_password(request.form.get("email", ""), request.form.get("password", ""), via="office")
    except SignInRefused as refused:
        status, message = CATALOG[refused.code]
        return render_template("office/sign_in.html", error=message, next=request.form.get("next", "")), status
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
