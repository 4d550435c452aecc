"""A person's own sign-in settings: "Two-step sign-in" (add an authenticator app, new recovery
codes, turn an optional one off), "Passkeys" (add one, name it, remove it) and "My devices and
sessions" (each signed-in session and passkey, its last use, and ending one). Open to everyone
signed in, visiting staff included."""
from functools import wraps

from flask import flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from server.extensions import db
from server.office import office
from server.office.access import current_school
from server.office.form_input import submit
from server.security import current_relying_party, sha256_of_token, sign_in_limit
from server.services import passkeys, second_factor, sign_in_settings
from server.services.refusal import Refused

# The secret being added, until a code from it confirms it. Only in this person's own signed
# session cookie, and only for a few minutes of their attention.
ENROL_KEY = "enrolling_secret"


def _me():
    return current_user._get_current_object()


def own_page(view):
    """Signed in, any role: the page is about the person, not a school."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        school = current_school()
        g.school = school
        return view(*args, **kwargs)
    return wrapper


@office.get("/account/two-step")
@own_page
def two_step():
    return _render_two_step()


@office.post("/account/two-step/start")
@own_page
def two_step_start():
    if not second_factor.has_totp(current_user):
        session[ENROL_KEY] = second_factor.new_secret()
    return redirect(url_for("office.two_step"))


@office.post("/account/two-step/confirm")
@sign_in_limit  # each guess at a code spends the sign-in budget
@own_page
def two_step_confirm():
    secret = session.get(ENROL_KEY)
    if not secret:
        return redirect(url_for("office.two_step"))

    def enrolled(codes):
        session.pop(ENROL_KEY, None)
        return _recovery_codes(codes)

    return submit(None, lambda _: sign_in_settings.enrol(_me(), secret, request.form.get("code", "")),
                  _two_step_refused, page=enrolled, admin=True)


@office.post("/account/two-step/recovery-codes")
@sign_in_limit  # each guess at a code spends the sign-in budget
@own_page
def two_step_recovery_codes():
    # A code that was right is used up either way, so a refusal commits too.
    return submit(None, lambda _: sign_in_settings.renew_recovery_codes(_me(), request.form.get("code", "")),
                  _two_step_refused, page=_recovery_codes, admin=True, keep_refused=True)


@office.post("/account/two-step/off")
@sign_in_limit  # each guess at a code spends the sign-in budget
@own_page
def two_step_off():
    return submit(None, lambda _: sign_in_settings.turn_off(_me(), request.form.get("code", "")),
                  _two_step_refused, url_for("office.two_step"), "Two-step sign-in is off.", admin=True,
                  keep_refused=True)  # as above: the code is used up


def _recovery_codes(codes):
    return render_template("office/recovery_codes.html", codes=codes, next=url_for("office.two_step"))


def _two_step_refused(refusal):
    return _render_two_step(errors=refusal.errors), refusal.status


def _render_two_step(errors=None):
    secret = session.get(ENROL_KEY) if not second_factor.has_totp(current_user) else None
    enrolment = {}
    if secret:
        enrolment = {"secret": secret,
                     "qr_svg": second_factor.qr_svg(second_factor.provisioning_uri(current_user, secret))}
    return render_template(
        "office/account_two_step.html", errors=errors or {}, enrolled=second_factor.has_totp(current_user),
        has_passkey=second_factor.has_passkey(current_user),
        required=second_factor.requires_second_factor(current_user),
        codes_left=second_factor.recovery_codes_left(current_user), **enrolment)


@office.get("/account/sessions")
@own_page
def my_sessions():
    return render_template(
        "office/account_sessions.html", sessions=sign_in_settings.open_sessions(current_user),
        current=sha256_of_token(current_user.session_token), enrolled=second_factor.has_totp(current_user),
        codes_left=second_factor.recovery_codes_left(current_user), passkeys=passkeys.passkeys_of(current_user),
        end_url=lambda row: url_for("office.my_session_end", session_id=row.id))


@office.post("/account/sessions/<int:session_id>/end")
@own_page
def my_session_end(session_id):
    ended = sign_in_settings.end_own_session(_me(), session_id)
    db.session.commit()
    flash("That session has ended: the device is signed out." if ended else "That session had already ended.")
    return redirect(url_for("office.my_sessions"))


@office.get("/account/passkeys")
@own_page
def my_passkeys():
    return _render_passkeys()


@office.post("/account/passkeys/options")
@own_page
def my_passkey_options():
    """JSON for the page's script: the options for navigator.credentials.create(), bound to
    this signed-in session."""
    try:
        options = passkeys.registration_options(_me(), current_user.session_token, current_relying_party())
    except Refused as refused:
        return jsonify(code="passkey_refused", message=refused.message), 409
    db.session.commit()
    return jsonify(public_key=options)


@office.post("/account/passkeys")
@sign_in_limit  # an answer to a challenge is a guess like a code
@own_page
def my_passkey_add():
    me = _me()
    first_factor = not second_factor.has_second_factor(me)
    try:
        passkey = passkeys.register(me, current_user.session_token, request.form.get("name", ""),
                                    request.form.get("credential", ""), current_relying_party())
    except Refused as refused:
        db.session.commit()  # the challenge is used up either way
        return _render_passkeys(errors={refused.field or "credential": [refused.message]},
                                name=request.form.get("name", "")), 422
    codes = second_factor.new_recovery_codes(me) if first_factor else None
    db.session.commit()
    if codes:
        return render_template("office/recovery_codes.html", codes=codes, next=url_for("office.my_passkeys"))
    flash(f"Passkey “{passkey.name}” added. You can use it instead of a code when you sign in.")
    return redirect(url_for("office.my_passkeys"))


@office.post("/account/passkeys/<int:passkey_id>/remove")
@own_page
def my_passkey_remove(passkey_id):
    try:
        removed = sign_in_settings.remove_own_passkey(_me(), passkey_id)
    except Refused as refused:
        db.session.rollback()
        return _render_passkeys(errors={"passkey": [refused.message]}), 422
    db.session.commit()
    flash("Passkey removed: it no longer signs you in." if removed else "That passkey had already been removed.")
    return redirect(url_for("office.my_passkeys"))


def _render_passkeys(errors=None, name=""):
    return render_template("office/account_passkeys.html", passkeys=passkeys.passkeys_of(current_user),
                           errors=errors or {}, name=name, totp=second_factor.has_totp(current_user),
                           required=second_factor.requires_second_factor(current_user),
                           most=passkeys.MAX_PASSKEYS, name_max=passkeys.NAME_MAX,
                           remove_url=lambda key: url_for("office.my_passkey_remove", passkey_id=key.id))


_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("SamsungBrowser/", "Samsung Internet"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("CrOS", "ChromeOS"), ("Mac OS X", "Mac"), ("Linux", "Linux"))


@office.app_template_filter("device_name")
def device_name(user_agent):
    """"Chrome on Android" from a browser's User-Agent, enough to tell one's devices apart."""
    text = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in text), None)
    system = next((name for marker, name in _SYSTEMS if marker in text), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"
