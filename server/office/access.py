"""Who may open which office page, and which school the page is about.

A member of staff with roles in several schools (a trust lead) picks the school they are
working on; the choice lives in their session. Pages never take a school id from the URL.
"""
from functools import wraps

from flask import abort, g, redirect, request, session, url_for
from flask_login import current_user

from server import permissions
from server.extensions import db
from server.models import School

SCHOOL_KEY = "office_school_id"


def office_page(permission):
    """The view needs a signed-in user holding `permission` (server/permissions.py) in the
    current school."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("office.sign_in", next=request.full_path))
            school = current_school()
            if school is None:
                abort(403)
            g.school = school
            if not permissions.allows(current_user, school.id, permission):
                abort(403)
            return view(*args, **kwargs)
        wrapper.permission = permission
        return wrapper
    return decorator


def current_school():
    school_ids = current_user.school_ids
    if not school_ids:
        return None
    chosen = session.get(SCHOOL_KEY)
    school_id = chosen if chosen in school_ids else school_ids[0]
    return db.session.get(School, school_id)


def choose_school(school_id):
    if school_id in current_user.school_ids:
        session[SCHOOL_KEY] = school_id


def may(permission):
    """Whether the signed-in user holds `permission` in the school the page is about: what a page
    offers (buttons, sections) follows the same table as what it accepts."""
    school = g.get("school")
    return school is not None and permissions.allows(current_user, school.id, permission)
