"""The office landing page. For the people who run AP it is the to-do list: everything overdue
and everything due in the next two weeks, counted at the top. Governors (aggregates only) and
staff whose work is on the phone or the registers get their links instead."""
from flask import g, render_template

from server.dates import school_today
from server.office import office
from server.office.access import has_any_role, office_page
from server.office.nav import ALL_STAFF
from server.services.concerns import CONCERN_READER_ROLES
from server.services.placement_record import RECORD_READER_ROLES
from server.services.review import REVIEW_READER_ROLES
from server.services.todo import HORIZON_DAYS, build_todo


@office.get("/")
@office_page(*ALL_STAFF, "governor")
def home():
    if not has_any_role(*RECORD_READER_ROLES):
        return render_template("office/home.html", todo=None)
    today = school_today()
    todo = build_todo(g.school.id, today, with_concerns=has_any_role(*CONCERN_READER_ROLES))
    return render_template("office/home.html", todo=todo, today=today, horizon=HORIZON_DAYS,
                           may_review=has_any_role(*REVIEW_READER_ROLES))
