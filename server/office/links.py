"""The links a school hands to a person: a set-password link for a new account, and an
invitation link for an account another school runs. Both open office pages, and both the
office and the JSON API make them here."""
from flask import current_app, url_for

from server.services import staff, staff_invitations


def password_link(user, school, actor):
    token, expires_at = staff.make_password_token(user, school, actor, current_app.config["SECRET_KEY"])
    return {"url": url_for("office.set_password", token=token, _external=True), "expires_at": expires_at}


def invitation_link(invitation):
    token = staff_invitations.link_token(invitation, current_app.config["SECRET_KEY"])
    return {"url": url_for("office.join_school", token=token, _external=True), "expires_at": invitation.expires_at}
