"""Staff: who works with the school's AP, their roles here, set-password links, and leavers.

Accounts are made without email: the AP leader adds a person and hands them a set-password link
(see server/services/staff.py). The set-password page itself is public: the link is the key.
Someone whose account another school runs gets an invitation link instead, which they accept
signed in as themselves (server/services/staff_invitations.py).
"""
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from server.extensions import db
from server.office import office
from server.office.access import office_page
from server.office.form_input import can_manage, refuse_unless_manager, submit
from server.office.links import invitation_link, password_link
from server.schemas.admin_staff import SetPasswordSchema, StaffCreateSchema, StaffDetailsSchema, StaffRolesSchema
from server import permissions
from server.services import passkeys, second_factor, sign_in_settings
from server.services import staff as staff_service
from server.services import staff_invitations
from server.vocabulary import ROLES, label


@office.route("/staff", methods=["GET", "POST"])
@office_page("staff.read")
def staff():
    if request.method == "GET":
        return _render_list()
    refuse_unless_manager()

    def save(data):
        how, record = staff_service.add_staff(g.school, data, current_user)
        return how, record, password_link(record, g.school, current_user) if how == "created" else None

    def added(saved):
        how, record, link = saved
        if how == "invited":
            return render_template("office/admin/staff_invited.html", invitation=record,
                                   link=invitation_link(record))
        flash(f"{record.full_name} added." if how == "created" else
              f"{record.full_name} had an account: roles here added.")
        return _render_member(record, link=link)

    return submit(StaffCreateSchema(), save,
                  lambda refusal: (_render_list(errors=refusal.errors, values=request.form), refusal.status),
                  page=added, admin=True)


@office.post("/staff/invitations/<uuid:invitation_id>/withdraw")
@office_page("school.administer")
def staff_invitation_withdraw(invitation_id):
    invitation = staff_invitations.pending_by_uuid(g.school, invitation_id)
    if invitation is None:
        abort(404)
    staff_invitations.withdraw(invitation, current_user)
    db.session.commit()
    flash(f"The invitation for {invitation.full_name} is withdrawn.")
    return redirect(url_for("office.staff"))


@office.route("/join/<token>", methods=["GET", "POST"])
@login_required
def join_school(token):
    """The invited person, signed in as themselves, accepts. The page names only the school and
    the roles, so whoever else opens the link learns nothing of the account."""
    invitation = staff_invitations.for_token(token, current_app.config["SECRET_KEY"])
    if invitation is None or invitation.user_id != current_user.id:
        return render_template("office/admin/join.html", expired=True), 410
    if request.method == "POST":
        staff_invitations.accept(invitation, current_user)
        db.session.commit()
        return render_template("office/admin/join.html", invitation=invitation, done=True)
    return render_template("office/admin/join.html", invitation=invitation)


@office.get("/staff/<uuid:user_id>")
@office_page("staff.read")
def staff_member(user_id):
    return _render_member(_member(user_id))


@office.post("/staff/<uuid:user_id>/roles")
@office_page("school.administer")
def staff_roles(user_id):
    user = _member(user_id)

    def save(data):
        staff_service.set_roles(user, g.school, data["roles"], current_user)
        return data["roles"]

    return submit(StaffRolesSchema(), save, _member_refused(user_id),
                  lambda roles: url_for("office.staff_member", user_id=user.uuid) if roles else url_for("office.staff"),
                  lambda roles: "Roles saved." if roles else
                                f"{user.full_name} no longer has any role at {g.school.name}.",
                  admin=True)


@office.post("/staff/<uuid:user_id>/details")
@office_page("school.administer")
def staff_details(user_id):
    user = _member(user_id)
    return submit(StaffDetailsSchema(), lambda data: staff_service.correct_details(user, g.school, data, current_user),
                  _member_refused(user_id, values=request.form), url_for("office.staff_member", user_id=user.uuid),
                  lambda changes: "Details saved." if changes else "Nothing changed.", admin=True)


@office.post("/staff/<uuid:user_id>/password-link")
@office_page("school.administer")
def staff_password_link(user_id):
    user = _member(user_id)
    return submit(None, lambda _: password_link(user, g.school, current_user), _member_refused(user_id),
                  page=lambda link: _render_member(user, link=link))


@office.post("/staff/<uuid:user_id>/deactivate")
@office_page("school.administer")
def staff_deactivate(user_id):
    return _on_member(user_id, lambda user: staff_service.deactivate(user, g.school, current_user),
                      lambda user, _: f"{user.full_name} is deactivated: signed out everywhere, and their visits "
                                      "stay in the record.")


@office.post("/staff/<uuid:user_id>/reactivate")
@office_page("school.administer")
def staff_reactivate(user_id):
    return _on_member(user_id, lambda user: staff_service.reactivate(user, g.school, current_user),
                      lambda user, _: f"{user.full_name} can sign in again. Make them a set-password link if they "
                                      "need one.")


@office.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token):
    user, link_maker = staff_service.password_link_for(token, current_app.config["SECRET_KEY"])
    if user is None:
        return render_template("office/admin/set_password.html", expired=True), 410
    if request.method == "GET":
        return render_template("office/admin/set_password.html", person=user, errors={})
    return submit(SetPasswordSchema(), lambda data: staff_service.set_password(user, data["password"], link_maker),
                  lambda refusal: (render_template("office/admin/set_password.html", person=user,
                                                   errors=refusal.errors), refusal.status),
                  page=lambda _: render_template("office/admin/set_password.html", person=user, done=True),
                  admin=True)


@office.post("/staff/<uuid:user_id>/second-factor-reset")
@office_page("second_factor.reset")
def staff_second_factor_reset(user_id):
    return _on_member(user_id, lambda user: sign_in_settings.reset_second_factor(user, g.school, _me()),
                      lambda user, done: f"{user.full_name}'s two-step sign-in is reset: they are signed out "
                                         "everywhere and add a new authenticator app when they next sign in."
                                         if done else "Two-step sign-in was already off.")


@office.post("/staff/<uuid:user_id>/passkeys/<int:passkey_id>/remove")
@office_page("second_factor.reset")
def staff_passkey_remove(user_id, passkey_id):
    return _on_member(user_id, lambda user: sign_in_settings.remove_someones_passkey(user, passkey_id, g.school, _me()),
                      lambda user, removed: f"The passkey is removed and {user.full_name} is signed out everywhere."
                                            if removed else "That passkey had already been removed.")


@office.post("/staff/<uuid:user_id>/sessions/<int:session_id>/end")
@office_page("session.revoke_others")
def staff_session_end(user_id, session_id):
    return _on_member(user_id, lambda user: sign_in_settings.end_someones_session(user, session_id, g.school, _me()),
                      lambda _, ended: "That session has ended: the device is signed out." if ended else
                                       "That session had already ended.")


def _on_member(user_id, act, message):
    """A button on a member's page: `act(user)` asks the service; then their page with
    `message(user, what act returned)`, or the page again with the refusal."""
    user = _member(user_id)
    return submit(None, lambda _: act(user), _member_refused(user_id),
                  url_for("office.staff_member", user_id=user.uuid), lambda done: message(user, done))


def _me():
    # The signed-in person as a row, for the services that compare or store it.
    return current_user._get_current_object()


def _member_refused(user_id, values=None):
    """The member's page again with the messages; a refusal to manage the account is a 403 page."""
    def refuse(refusal):
        if refusal.code == "forbidden":
            abort(refusal.status)
        return _render_member(_member(user_id), errors=refusal.errors, values=values), refusal.status
    return refuse


def _member(user_uuid):
    # A person may be on several schools' staff: found only when on this one's.
    person = staff_service.member_of(g.school, user_uuid)
    if person is None:
        abort(404)
    return person


def _role_choices():
    grantable = staff_service.grantable_roles(current_user, g.school) if can_manage() else ()
    return [(role, label(role, "roles"), role in grantable) for role in ROLES]


def _render_list(errors=None, values=None):
    return render_template(
        "office/admin/staff.html", can_manage=can_manage(), members=staff_service.members(g.school, current_user),
        invitations=staff_invitations.pending(g.school),
        role_choices=_role_choices(), errors=errors or {},
        values=values or {}, chosen_roles=(values.getlist("roles") if values else ["visiting_staff"]))


def _render_member(user, link=None, errors=None, values=None):
    person = next(m for m in staff_service.members(g.school, current_user) if m["user"].id == user.id)
    assignments = sorted((a.placement for a in _assignments(user)), key=lambda p: p.pupil.last_name)
    return render_template(
        "office/admin/staff_member.html", can_manage=can_manage(), person=person, link=link,
        role_choices=_role_choices(), errors=errors or {},
        assignments=assignments, link_days=staff_service.PASSWORD_LINK_DAYS,
        values=values or {"full_name": user.full_name, "email": user.email, "phone": user.phone or ""},
        is_self=user.id == current_user.id, second_factor_on=second_factor.has_second_factor(user),
        may_reset=permissions.allows(current_user, g.school.id, "second_factor.reset"),
        may_end_sessions=permissions.allows(current_user, g.school.id, "session.revoke_others"),
        sessions=sign_in_settings.open_sessions(user) if person["account_managed_here"] else [],
        passkeys=passkeys.passkeys_of(user) if person["account_managed_here"] else [],
        passkey_remove_url=lambda key: url_for("office.staff_passkey_remove", user_id=user.uuid, passkey_id=key.id),
        end_url=lambda row: url_for("office.staff_session_end", user_id=user.uuid, session_id=row.id))


def _assignments(user):
    return [a for a in staff_service.assignments(user) if a.placement.school_id == g.school.id]
