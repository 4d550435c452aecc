"""Signing in and out of the office pages, and choosing which school to work on."""
from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from server.errors import message_of, status_of
from server.extensions import db
from server.office import office
from server.office.access import choose_school
from server.security import (SecondStep, current_relying_party, end_current_session, passkey_offered,
                             passkey_sign_in_options, pending_step_user, sign_in_limit, sign_in_with_passkey,
                             sign_in_with_password, sign_in_with_second_factor)
from server.services import audit, second_factor
from server.services.refusal import Refused

# Between the password and the code the cookie holds only this signed, short-lived token (and
# where to go next); it grants nothing (security.SecondStep).
STEP_KEY = "second_step"
NEXT_KEY = "second_step_next"


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
        outcome = sign_in_with_password(request.form.get("email", ""), request.form.get("password", ""), via="office")
    except Refused as refused:
        status, message = status_of(refused), message_of(refused)
        return render_template("office/sign_in.html", error=message, next=request.form.get("next", "")), status
    if isinstance(outcome, SecondStep):
        session[STEP_KEY] = outcome.token
        session[NEXT_KEY] = request.form.get("next", "")
        return redirect(url_for("office.sign_in_enrol" if outcome.enrol_secret else "office.sign_in_code"))
    return redirect(_safe_next(request.form.get("next")))


@office.route("/sign-in/code", methods=["GET", "POST"])
@sign_in_limit
def sign_in_code():
    token = session.get(STEP_KEY)
    if not token:
        return redirect(url_for("office.sign_in"))
    if request.method == "GET":
        return render_template("office/sign_in_code.html", passkey=_passkey_offered(token))
    target = session.get(NEXT_KEY)
    try:
        _, recovery_codes = sign_in_with_second_factor(token, request.form.get("code", ""), via="office")
    except Refused as refused:
        status, message = status_of(refused), message_of(refused)
        if refused.code == "second_factor_expired":
            session.pop(STEP_KEY, None)
            return render_template("office/sign_in.html", error=message, next=target or ""), status
        return render_template(_step_template(token), error=message, passkey=_passkey_offered(token),
                               **_enrolment(token)), status
    if recovery_codes:
        return render_template("office/recovery_codes.html", codes=recovery_codes, next=_safe_next(target))
    return redirect(_safe_next(target))


@office.post("/sign-in/passkey/options")
@sign_in_limit
def sign_in_passkey_options():
    """JSON for the code page's script: the options for navigator.credentials.get(), with a
    challenge bound to this pending sign-in."""
    token = session.get(STEP_KEY)
    try:
        options = passkey_sign_in_options(token, current_relying_party())
    except Refused as refused:
        return jsonify(code=refused.code, message=message_of(refused)), status_of(refused)
    if options is None:
        refused = Refused("no_passkey")
        return jsonify(code=refused.code, message=message_of(refused)), status_of(refused)
    return jsonify(public_key=options)


@office.post("/sign-in/passkey")
@sign_in_limit
def sign_in_passkey():
    token = session.get(STEP_KEY)
    if not token:
        return redirect(url_for("office.sign_in"))
    target = session.get(NEXT_KEY)
    try:
        sign_in_with_passkey(token, request.form.get("credential", ""), current_relying_party(), via="office")
    except Refused as refused:
        status, message = status_of(refused), message_of(refused)
        if refused.code == "second_factor_expired":
            session.pop(STEP_KEY, None)
            return render_template("office/sign_in.html", error=message, next=target or ""), status
        return render_template("office/sign_in_code.html", passkey=True,
                               error="That passkey did not sign you in. Try it again, or enter a code."), status
    return redirect(_safe_next(target))


def _passkey_offered(token):
    try:
        return passkey_offered(token)
    except Refused:
        return False


@office.get("/sign-in/add-app")
def sign_in_enrol():
    token = session.get(STEP_KEY)
    if not token:
        return redirect(url_for("office.sign_in"))
    try:
        enrolment = _enrolment(token)
    except Refused as refused:
        session.pop(STEP_KEY, None)
        status, message = status_of(refused), message_of(refused)
        return render_template("office/sign_in.html", error=message, next=""), status
    return render_template("office/sign_in_enrol.html", **enrolment)


def _step_template(token):
    try:
        _, secret = pending_step_user(token)
    except Refused:
        return "office/sign_in_code.html"
    return "office/sign_in_enrol.html" if secret else "office/sign_in_code.html"


def _enrolment(token):
    """What the enrolment page shows for a pending step that adds an app (empty otherwise)."""
    user, secret = pending_step_user(token)
    if secret is None:
        return {}
    uri = second_factor.provisioning_uri(user, secret)
    return {"secret": secret, "qr_svg": second_factor.qr_svg(uri)}


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
