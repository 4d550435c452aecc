"""Pages whose reading is in the audit log (the pupil and placement lists, concerns, records, a
visit under review): the page is rendered first and the read's audit entries committed after,
because a commit expires every row the session loaded and the page would read each again."""
from flask import render_template

from server.extensions import db


def render_then_commit(template, **context):
    page = render_template(template, **context)
    db.session.commit()
    return page
