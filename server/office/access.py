"""Who may open which office page, and which school the page is about.

A member of staff with roles in several schools (a trust lead) picks the school they are
working on; the choice lives in their session. Pages never take a school id from the URL.
"""
from functools import wraps

from flask import abort, g, redirect, request, session, url_for
from flask_login import current_user

from server.extensions import db
from server.models import School

SCHOOL_KEY = "office_school_id"


def office_page(*roles):
    """The view needs a signed-in user holding one of `roles` in the current school."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("office.sign_in", next=request.full_path))
            school = current_school()
            if school is None:
                abort(403)
            g.school = school
            g.roles = current_user.roles_in(school.id)
            if not g.roles.intersection(roles):
                abort(403)
            return view(*args, **kwargs)
        wrapper.office_roles = roles
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


def has_any_role(*roles):
    return bool(g.get("roles", set()).intersection(roles))
